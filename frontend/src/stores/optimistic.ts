/**
 * Optimistic updates: show the change at once, confirm it with the API, and put the old value back
 * when the API refuses or cannot be reached.
 */
import { errorMessages } from "src/api/client";

export interface OptimisticStep<Snapshot, Result> {
  /** Shows the change and returns what is needed to undo it. */
  apply: () => Snapshot;
  /** The API call that makes the change real. */
  request: () => Promise<Result>;
  /** Replaces the guess with the API's answer. */
  commit: (result: Result) => void;
  /** Puts the old value back. */
  rollback: (snapshot: Snapshot) => void;
}

/** Runs one optimistic change. Resolves to null on success, or to the error lines after a rollback. */
export async function optimistic<Snapshot, Result>(step: OptimisticStep<Snapshot, Result>): Promise<string[] | null> {
  const snapshot = step.apply();
  try {
    step.commit(await step.request());
    return null;
  } catch (error) {
    step.rollback(snapshot);
    return errorMessages(error);
  }
}
