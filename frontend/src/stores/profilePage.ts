/** The profile page header: the profile and an optimistic follow button. */
import { writable, type Readable } from "svelte/store";
import { getProfile, setFollowing } from "src/api/profiles";
import { errorMessages, type Profile } from "src/api/client";
import { optimistic } from "./optimistic";
import { requireUser } from "./session";

export interface ProfilePageState {
  status: "loading" | "ready" | "error";
  profile: Profile | null;
  errors: string[];
  actionErrors: string[];
  followPending: boolean;
}

export interface ProfilePageStore extends Readable<ProfilePageState> {
  load(username: string): Promise<void>;
  toggleFollow(): Promise<void>;
}

const initialState: ProfilePageState = {
  status: "loading",
  profile: null,
  errors: [],
  actionErrors: [],
  followPending: false,
};

export function createProfilePage(): ProfilePageStore {
  const state = writable<ProfilePageState>(initialState);
  let current = initialState;
  state.subscribe((value) => (current = value));
  let generation = 0;

  async function load(username: string): Promise<void> {
    const mine = ++generation;
    // Keep showing the same profile while switching tabs; start over for another user.
    if (current.profile?.username !== username) state.set(initialState);
    try {
      const profile = await getProfile(username);
      if (mine === generation) state.set({ ...initialState, status: "ready", profile });
    } catch (error) {
      if (mine === generation) state.set({ ...initialState, status: "error", errors: errorMessages(error) });
    }
  }

  async function toggleFollow(): Promise<void> {
    const profile = current.profile;
    if (!profile || current.followPending || !requireUser()) return;
    const on = !profile.following;
    state.update((s) => ({ ...s, followPending: true, actionErrors: [] }));
    const errors = await optimistic({
      apply: () => {
        state.update((s) => ({ ...s, profile: { ...profile, following: on } }));
        return profile;
      },
      request: () => setFollowing(profile.username, on),
      commit: (fresh) => state.update((s) => ({ ...s, profile: fresh })),
      rollback: (before) => state.update((s) => ({ ...s, profile: before })),
    });
    state.update((s) => ({ ...s, followPending: false, actionErrors: errors ?? [] }));
  }

  return { subscribe: state.subscribe, load, toggleFollow };
}
