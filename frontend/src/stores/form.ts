/** Submission state for the simple forms (sign in, sign up, settings): pending flag and error lines. */
import { writable, type Readable } from "svelte/store";
import { errorMessages } from "src/api/client";

export interface SubmissionState {
  pending: boolean;
  errors: string[];
}

export interface Submission extends Readable<SubmissionState> {
  /** Runs `action` unless one is already running. Resolves to its result, or null when it failed. */
  run<T>(action: () => Promise<T>): Promise<T | null>;
}

export function createSubmission(): Submission {
  const state = writable<SubmissionState>({ pending: false, errors: [] });
  let pending = false;
  return {
    subscribe: state.subscribe,
    async run(action) {
      if (pending) return null;
      pending = true;
      state.set({ pending: true, errors: [] });
      try {
        const result = await action();
        state.set({ pending: false, errors: [] });
        return result;
      } catch (error) {
        state.set({ pending: false, errors: errorMessages(error) });
        return null;
      } finally {
        pending = false;
      }
    },
  };
}
