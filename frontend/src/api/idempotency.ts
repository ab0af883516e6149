/**
 * `Idempotency-Key` values for the create requests (sign-up, publish, comment).
 *
 * A retry of the same content (after a timeout or a dropped connection, when the first attempt may
 * have succeeded unseen) sends the same key, so the API replays its first answer instead of creating
 * a second article or comment. Other content gets another key; after a success the operation starts
 * afresh, so publishing the same text again on purpose still creates it.
 */

const nonces = new Map<string, string>();

/** The key for `body` sent by `operation` (e.g. `articles_create`, `comments_create:<slug>`). */
export function idempotencyKey(operation: string, body: unknown): string {
  let nonce = nonces.get(operation);
  if (nonce === undefined) {
    nonce = randomHex(16);
    nonces.set(operation, nonce);
  }
  return `${nonce}.${fnv1a(JSON.stringify(body))}`;
}

/** Call after `operation` succeeded: its next request is a new one. */
export function idempotencyKeyUsed(operation: string): void {
  nonces.delete(operation);
}

// crypto.getRandomValues, unlike randomUUID, also exists outside secure contexts (plain-HTTP hosts).
function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

// A short digest of the content, only to tell different contents apart within one nonce.
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}
