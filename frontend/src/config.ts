/**
 * The app's settings. This is the only module that reads `import.meta.env`; the values are baked in
 * at build time (`VITE_API_URL=https://api.example.com/api/v1 npm run build`).
 */

const DEFAULT_API_URL = "http://127.0.0.1:8000/api/v1";

/** Base URL of the Conduit API, version prefix included, without a trailing slash. */
export const API_URL: string = (import.meta.env.VITE_API_URL || DEFAULT_API_URL).replace(/\/+$/, "");

/**
 * How long a request may go unanswered before it counts as "Unable to connect" (ms). The e2e suite
 * builds with a shorter one (VITE_REQUEST_TIMEOUT_MS) to test timeouts quickly.
 */
export const REQUEST_TIMEOUT_MS: number = Number(import.meta.env.VITE_REQUEST_TIMEOUT_MS) || 20_000;

/** How often the bell asks for the unread count while the tab is visible (ms). */
export const NOTIFICATIONS_POLL_MS = 30_000;

/** Articles per page in every article list. */
export const PAGE_SIZE = 10;

/**
 * The deepest `offset` the API accepts on article lists (its PAGINATION_MAX_OFFSET, published as the
 * parameter's `maximum` in openapi.yaml); deeper pages need its `cursor`. Page links stop there.
 */
export const MAX_OFFSET = 1000;

/** The localStorage key that keeps the JWT across reloads (RealWorld contract). */
export const TOKEN_STORAGE_KEY = "jwtToken";

/** The avatar shown when a user has no image (RealWorld contract: the src contains default-avatar.svg). */
export const DEFAULT_AVATAR = "/default-avatar.svg";
