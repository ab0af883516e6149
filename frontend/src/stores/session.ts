/**
 * The session: the signed-in user and their token. The token lives in localStorage under `jwtToken`
 * (kept across reloads) and in the API client.
 *
 * One state machine, decided by `GET /user` alone:
 *
 *   unknown --initSession()--> checking --200--> authenticated
 *                                       --401--> anonymous (token removed)
 *                                       --anything else (5xx, 4xx, network error, timeout)--> unreachable
 *   unreachable --retry with backoff (1 s, 2 s, 4 s ... 30 s; at once when the browser is back
 *                 online or the tab is shown again)--> the same answers as checking
 *   authenticated --a 401 to another request--> GET /user asked again, status unchanged meanwhile:
 *                 401 --> anonymous, `expiredAt` = the page it happened on; a failure --> unreachable
 *
 * While the first check runs, every other request waits (`holdRequestsUntil`), so no page request
 * carries a token that the API has not accepted, and no other answer decides the session. With no
 * stored token the session is anonymous at once. Signing in or out ends any check in flight.
 */
import { derived, get, writable, type Readable } from "svelte/store";
import * as usersApi from "src/api/users";
import {
  holdRequestsUntil,
  isApiError,
  onTokenRejected,
  setAuthToken,
  type User,
  type UserUpdateRequest,
} from "src/api/client";
import { TOKEN_STORAGE_KEY } from "src/config";
import { navigate, paths, type SessionStatus } from "src/router";

export type { SessionStatus };

export interface SessionState {
  status: SessionStatus;
  /** The signed-in user; kept while `unreachable` after a check failed mid-session. */
  user: User | null;
  token: string | null;
  /** The page (path and query) on which the API rejected the token mid-session, or null. */
  expiredAt: string | null;
  /** Failed checks in a row (drives the backoff; 0 unless `unreachable`). */
  failures: number;
}

const state = writable<SessionState>({ status: "unknown", user: null, token: null, expiredAt: null, failures: 0 });

export const session: Readable<SessionState> = { subscribe: state.subscribe };
export const currentUser: Readable<User | null> = derived(state, ($s) => $s.user);

/**
 * Who the pages load their data for: the username, "" for an anonymous reader, "?" for a kept token
 * the API could not check yet, and null until the first check has answered (pages wait).
 */
export const viewer: Readable<string | null> = derived(state, ($s) => {
  if ($s.status === "unknown" || $s.status === "checking") return null;
  if ($s.status === "anonymous") return "";
  return $s.user?.username ?? "?";
});

/** The RealWorld debug contract's names for the states. */
export function publicAuthState(status: SessionStatus): "loading" | "authenticated" | "unauthenticated" | "unavailable" {
  if (status === "authenticated") return "authenticated";
  if (status === "anonymous") return "unauthenticated";
  if (status === "unreachable") return "unavailable";
  return "loading";
}

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

// ---------------------------------------------------------------------------------------------
// Transitions
// ---------------------------------------------------------------------------------------------
/** Bumped by every sign-in and sign-out: an older check's answer is then ignored. */
let epoch = 0;
let checking: Promise<void> | null = null;
let retryTimer: ReturnType<typeof setTimeout> | null = null;

const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 30_000;

function cancelRetry(): void {
  if (retryTimer !== null) clearTimeout(retryTimer);
  retryTimer = null;
}

function signedIn(user: User): User {
  epoch++;
  cancelRetry();
  writeToken(user.token);
  setAuthToken(user.token);
  state.set({ status: "authenticated", user, token: user.token, expiredAt: null, failures: 0 });
  return user;
}

function signedOut(expiredAt: string | null = null): void {
  epoch++;
  cancelRetry();
  writeToken(null);
  setAuthToken(null);
  state.set({ status: "anonymous", user: null, token: null, expiredAt, failures: 0 });
}

function currentPage(): string {
  const where = globalThis.location;
  return where ? where.pathname + where.search : "/";
}

/** Asks `GET /user` (once at a time) and moves to the state its answer decides. */
function check(): Promise<void> {
  checking ??= ask().finally(() => {
    checking = null;
  });
  return checking;
}

async function ask(): Promise<void> {
  const mine = epoch;
  try {
    const user = await usersApi.currentUser();
    if (mine === epoch) signedIn(user);
  } catch (error) {
    if (mine !== epoch) return;
    if (isApiError(error) && error.status === 401) {
      signedOut(get(state).user ? currentPage() : null);
      return;
    }
    const failures = get(state).failures + 1;
    state.update((s) => ({ ...s, status: "unreachable", failures }));
    scheduleRetry(failures);
  }
}

function scheduleRetry(failures: number): void {
  cancelRetry();
  const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (failures - 1));
  retryTimer = setTimeout(() => {
    retryTimer = null;
    void check();
  }, delay * (0.8 + Math.random() * 0.4));
}

/** Checks again now (the "Try now" button, the browser back online, the tab shown again). */
export function retryNow(): Promise<void> {
  if (get(state).status !== "unreachable") return Promise.resolve();
  cancelRetry();
  return check();
}

let started = false;

/** Restores the session from the stored token: checking, then what `GET /user` answers. Safe to call again. */
export function initSession(): Promise<void> {
  const status = get(state).status;
  if (status === "unreachable") return retryNow();
  if (status !== "unknown") return checking ?? Promise.resolve();
  if (!started && typeof window !== "undefined") {
    started = true;
    window.addEventListener("online", () => void retryNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") void retryNow();
    });
  }
  const token = readToken();
  if (!token) {
    signedOut();
    return Promise.resolve();
  }
  setAuthToken(token);
  state.set({ status: "checking", user: null, token, expiredAt: null, failures: 0 });
  const first = check();
  holdRequestsUntil(first);
  return first;
}

// Another request's 401: the token may have expired. Ask GET /user, which alone decides.
onTokenRejected(() => {
  const status = get(state).status;
  if (status === "authenticated") void check();
  else if (status === "unreachable") void retryNow();
});

// ---------------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------------
export async function login(email: string, password: string): Promise<User> {
  return signedIn(await usersApi.login(email, password));
}

export async function register(username: string, email: string, password: string): Promise<User> {
  return signedIn(await usersApi.register(username, email, password));
}

/**
 * Saves the settings form. An empty password means "keep the current one". A failure (a 401 for an
 * expired token included) is thrown to the form, which shows it and keeps what was typed.
 */
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

/** For the debug interface and non-reactive callers. */
export function sessionSnapshot(): SessionState {
  return get(state);
}

/**
 * True when someone is signed in (or was, and the API is unreachable for now); a signed-out
 * visitor is sent to the sign-in page; while the session is undecided, nothing happens.
 */
export function requireUser(): boolean {
  const { status, user } = get(state);
  if (user) return true;
  if (status === "anonymous") navigate(paths.login());
  return false;
}
