/**
 * The session: the signed-in user and their token. The token lives in localStorage under `jwtToken`
 * (kept across reloads) and in the API client; a 401 to the current token drops both.
 *
 * States: "loading" while a stored token is being checked, "authenticated", "unauthenticated", and
 * "unavailable" when a stored token could not be checked because the API was unreachable (the token
 * is kept; `initSession()` tries again).
 */
import { derived, get, writable, type Readable } from "svelte/store";
import * as usersApi from "src/api/users";
import { isApiError, onUnauthorized, setAuthToken, type User, type UserUpdateRequest } from "src/api/client";
import { TOKEN_STORAGE_KEY } from "src/config";
import { navigate, paths } from "src/router";

export type AuthState = "loading" | "authenticated" | "unauthenticated" | "unavailable";

export interface SessionState {
  status: AuthState;
  user: User | null;
  token: string | null;
}

const state = writable<SessionState>({ status: "loading", user: null, token: null });

export const session: Readable<SessionState> = { subscribe: state.subscribe };
export const currentUser: Readable<User | null> = derived(state, ($s) => $s.user);

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled (privacy mode): the session lasts until the tab closes
  }
}

function readToken(): string | null {
  try {
    return storage()?.getItem(TOKEN_STORAGE_KEY) || null;
  } catch {
    return null;
  }
}

function writeToken(token: string | null): void {
  try {
    if (token) storage()?.setItem(TOKEN_STORAGE_KEY, token);
    else storage()?.removeItem(TOKEN_STORAGE_KEY);
  } catch {
    // quota or privacy mode: the in-memory token still works
  }
}

function signedIn(user: User): User {
  writeToken(user.token);
  setAuthToken(user.token);
  state.set({ status: "authenticated", user, token: user.token });
  return user;
}

function signedOut(): void {
  writeToken(null);
  setAuthToken(null);
  state.set({ status: "unauthenticated", user: null, token: null });
}

let checking: Promise<void> | null = null;

/** Restores the session from the stored token (checks it with GET /user). Safe to call again. */
export function initSession(): Promise<void> {
  checking ??= restore().finally(() => {
    checking = null;
  });
  return checking;
}

async function restore(): Promise<void> {
  const token = readToken();
  if (!token) {
    signedOut();
    return;
  }
  setAuthToken(token);
  state.set({ status: "loading", user: null, token });
  try {
    signedIn(await usersApi.currentUser());
  } catch (error) {
    if (isApiError(error) && error.status === 401) signedOut();
    else state.set({ status: "unavailable", user: null, token });
  }
}

export async function login(email: string, password: string): Promise<User> {
  return signedIn(await usersApi.login(email, password));
}

export async function register(username: string, email: string, password: string): Promise<User> {
  return signedIn(await usersApi.register(username, email, password));
}

/** Saves the settings form. An empty password means "keep the current one". */
export async function updateSettings(changes: UserUpdateRequest): Promise<User> {
  const body: UserUpdateRequest = { ...changes };
  if (!body.password) delete body.password;
  return signedIn(await usersApi.updateUser(body));
}

export function logout(): void {
  signedOut();
}

/** Signs out on every device (a lost phone, a shared computer), then here: every token stops working. */
export async function logoutEverywhere(): Promise<void> {
  await usersApi.revokeTokens();
  signedOut();
}

// The API rejected our token (expired, revoked, signed by another key): forget it.
onUnauthorized(signedOut);

/** For the debug interface and non-reactive callers. */
export function sessionSnapshot(): SessionState {
  return get(state);
}

/** True when someone is signed in; otherwise sends the visitor to the sign-in page. */
export function requireUser(): boolean {
  if (get(state).status === "authenticated") return true;
  navigate(paths.login());
  return false;
}
