/** Popular tags for the home page sidebar. */
import { writable, type Readable } from "svelte/store";
import { errorMessages } from "src/api/client";
import { listTags } from "src/api/tags";

export interface TagsState {
  status: "loading" | "ready" | "error";
  tags: string[];
  errors: string[];
}

export interface TagsStore extends Readable<TagsState> {
  load(): Promise<void>;
}

export function createTagsStore(): TagsStore {
  const state = writable<TagsState>({ status: "loading", tags: [], errors: [] });
  return {
    subscribe: state.subscribe,
    async load() {
      state.set({ status: "loading", tags: [], errors: [] });
      try {
        state.set({ status: "ready", tags: await listTags(), errors: [] });
      } catch (error) {
        state.set({ status: "error", tags: [], errors: errorMessages(error) });
      }
    },
  };
}
