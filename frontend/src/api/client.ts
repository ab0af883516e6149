/**
 * The one configured API client. Everything that talks HTTP goes through `client` (openapi-fetch,
 * typed by the generated `schema.d.ts`) and `request()`, which turns every failure into an ApiError.
 *
 * Auth: `setAuthToken()` sets the token sent as `Authorization: Token <jwt>`. Only `GET /user` decides
 * the session (src/stores/session.ts): while its first answer is awaited the other requests wait
 * (`holdRequestsUntil`); later, a 401 to another request only tells the `onTokenRejected()` listeners
 * (the session store then asks `GET /user`), and a read is replayed once without the token.
 * Every request times out after REQUEST_TIMEOUT_MS.
 */
import createClient, { type Middleware } from "openapi-fetch";
import { API_URL, REQUEST_TIMEOUT_MS } from "src/config";
import type { components, paths } from "./schema";

// Names for the generated component schemas, so the rest of the app never spells `components[...]`.
type Schemas = components["schemas"];
export type Article = Schemas["Article"];
export type ArticleListItem = Schemas["ArticleListItem"];
export type ArticleCreateRequest = Schemas["ArticleCreateRequest"];
export type ArticleUpdateRequest = Schemas["ArticleUpdateRequest"];
export type Comment = Schemas["Comment"];
export type Profile = Schemas["Profile"];
export type User = Schemas["User"];
export type UserUpdateRequest = Schemas["UserUpdateRequest"];
export type ErrorEnvelope = Schemas["Error"];
export type Notification = Schemas["Notification"];

/** Field name under which transport failures (no answer, unreadable answer) are reported. */
export const NETWORK_FIELD = "network";

/** A failed API call: the HTTP status (0 when the server could not be reached) and the API's field errors. */
export class ApiError extends Error {
  readonly status: number;
  readonly errors: Record<string, string[]>;

  constructor(status: number, errors: Record<string, string[]>) {
    super(formatErrors(errors).join("; ") || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.errors = errors;
  }

  /** Human-readable lines, one per message: `email can't be blank`. */
  get messages(): string[] {
    return formatErrors(this.errors);
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

/** Flattens `{"errors": {field: [msg]}}` into RealWorld-style lines ("email can't be blank"). */
export function formatErrors(errors: Record<string, string[]>): string[] {
  const lines: string[] = [];
  for (const [field, messages] of Object.entries(errors)) {
    for (const message of messages) {
      if (field === NETWORK_FIELD || field === "") lines.push(message);
      else if (/^[a-z]/.test(message)) lines.push(`${field} ${message}`);
      else lines.push(`${field}: ${message}`);
    }
  }
  return lines;
}

/** Any thrown value as display lines; unknown errors become one generic line. */
export function errorMessages(error: unknown): string[] {
  if (isApiError(error)) return error.messages;
  return ["Something went wrong. Please try again."];
}

function isErrorEnvelope(body: unknown): body is ErrorEnvelope {
  if (typeof body !== "object" || body === null || !("errors" in body)) return false;
  const errors = (body as { errors: unknown }).errors;
  return (
    typeof errors === "object" &&
    errors !== null &&
    Object.values(errors).every((v) => Array.isArray(v) && v.every((m) => typeof m === "string"))
  );
}

/** Builds the ApiError for a non-2xx answer, whatever its body. */
export function toApiError(status: number, body: unknown): ApiError {
  if (isErrorEnvelope(body) && Object.keys(body.errors).length > 0) return new ApiError(status, body.errors);
  const fallback: Record<number, string> = {
    401: "You need to sign in to do that.",
    403: "You are not allowed to do that.",
    404: "Not found.",
  };
  return new ApiError(status, { [NETWORK_FIELD]: [fallback[status] ?? `The server answered with an error (HTTP ${status}).`] });
}

// ---------------------------------------------------------------------------------------------
// Auth token, the session gate and the 401 hook
// ---------------------------------------------------------------------------------------------
let authToken: string | null = null;
let gate: Promise<unknown> | null = null;
const rejectionListeners = new Set<() => void>();

export function setAuthToken(token: string | null): void {
  authToken = token;
}

export function getAuthToken(): string | null {
  return authToken;
}

/**
 * Holds every request but the session check (`GET /user`) until `settled` resolves or rejects, so
 * that no page request carries a token the API has not accepted yet (the session store's first check).
 */
export function holdRequestsUntil(settled: Promise<unknown>): void {
  const mine = settled.then(
    () => undefined,
    () => undefined,
  );
  gate = mine;
  void mine.then(() => {
    if (gate === mine) gate = null;
  });
}

/**
 * Runs `listener` when the API answers 401 to a request other than `GET /user` that carried the
 * current token. It does not sign anyone out: the session store asks `GET /user`, which alone decides.
 * Returns the unsubscribe function.
 */
export function onTokenRejected(listener: () => void): () => void {
  rejectionListeners.add(listener);
  return () => rejectionListeners.delete(listener);
}

/** `GET /user`: the one request that decides the session. */
export function isSessionCheck(request: Request): boolean {
  const userPath = new URL(`${API_URL}/user`, globalThis.location?.href ?? "http://localhost/").pathname;
  return request.method === "GET" && new URL(request.url).pathname === userPath;
}

const authMiddleware: Middleware = {
  async onRequest({ request }) {
    if (gate && !isSessionCheck(request)) await gate;
    if (authToken) request.headers.set("Authorization", `Token ${authToken}`);
    return request;
  },
};

/**
 * The transport under the client: a timeout, and the 401 rule. A read rejected because of the token
 * it carried is replayed once without it (a 401 is answered before the view runs, so a stale token
 * never blocks public pages); the listeners hear of it when it was the current token.
 */
async function send(input: Request): Promise<Response> {
  const sentToken = input.headers.get("Authorization");
  const replay = sentToken && input.method === "GET" && !isSessionCheck(input) ? input.clone() : null;
  const response = await fetchWithTimeout(input);
  if (response.status !== 401 || !sentToken || isSessionCheck(input)) return response;
  if (sentToken === `Token ${authToken}`) for (const listener of [...rejectionListeners]) listener();
  if (!replay) return response;
  const headers = new Headers(replay.headers);
  headers.delete("Authorization");
  return fetchWithTimeout(new Request(replay, { headers }));
}

/** `fetch` is looked up on each call so test doubles installed later still apply. */
async function fetchWithTimeout(input: Request): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TimeoutError()), REQUEST_TIMEOUT_MS);
  try {
    return await globalThis.fetch(new Request(input, { signal: controller.signal }));
  } finally {
    clearTimeout(timer);
  }
}

class TimeoutError extends Error {
  constructor() {
    super("timeout");
    this.name = "TimeoutError";
  }
}

/** The single client. */
export const client = createClient<paths>({ baseUrl: API_URL, fetch: send });
client.use(authMiddleware);

// ---------------------------------------------------------------------------------------------
// request(): data or ApiError
// ---------------------------------------------------------------------------------------------
interface ClientResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The words of the RealWorld reference apps for a request that got no answer. */
export const UNABLE_TO_CONNECT = "Unable to connect. Check your connection and try again.";
const TIMED_OUT = "Unable to connect: the server took too long to answer. Try again.";

/** Runs one client call and returns its data, or throws an ApiError (status 0 when no answer came). */
export async function request<T>(call: () => Promise<ClientResult<T>>): Promise<T> {
  let result: ClientResult<T>;
  try {
    result = await call();
  } catch (error) {
    const timedOut = error instanceof TimeoutError || (error as { name?: string } | null)?.name === "TimeoutError";
    throw new ApiError(0, { [NETWORK_FIELD]: [timedOut ? TIMED_OUT : UNABLE_TO_CONNECT] });
  }
  const { data, error, response } = result;
  if (!response.ok) throw toApiError(response.status, error);
  return data as T;
}
