/**
 * The one configured API client. Everything that talks HTTP goes through `client` (openapi-fetch,
 * typed by the generated `schema.d.ts`) and `request()`, which turns every failure into an ApiError.
 *
 * Auth: `setAuthToken()` sets the token sent as `Authorization: Token <jwt>`; when the API answers
 * 401 to a request that carried the current token, the listeners registered with `onUnauthorized()`
 * run (the session store drops the token) and a read is retried once without it.
 */
import createClient, { type Middleware } from "openapi-fetch";
import { API_URL } from "src/config";
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
// Auth token and the 401 hook
// ---------------------------------------------------------------------------------------------
let authToken: string | null = null;
const unauthorizedListeners = new Set<() => void>();

export function setAuthToken(token: string | null): void {
  authToken = token;
}

export function getAuthToken(): string | null {
  return authToken;
}

/** Runs `listener` when the API rejects the current token. Returns the unsubscribe function. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

const authMiddleware: Middleware = {
  onRequest({ request }) {
    if (authToken) request.headers.set("Authorization", `Token ${authToken}`);
    return request;
  },
  onResponse({ request, response }) {
    // Only a rejection of the token we still hold signs the user out (not a stale request's).
    if (response.status === 401 && authToken && request.headers.get("Authorization") === `Token ${authToken}`) {
      for (const listener of [...unauthorizedListeners]) listener();
    }
    return response;
  },
};

/** The single client. `fetch` is looked up on each call so test doubles installed later still apply. */
export const client = createClient<paths>({
  baseUrl: API_URL,
  fetch: (input: Request) => globalThis.fetch(input),
});
client.use(authMiddleware);

// ---------------------------------------------------------------------------------------------
// request(): data or ApiError
// ---------------------------------------------------------------------------------------------
interface ClientResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Runs one client call and returns its data, or throws an ApiError (status 0 when the server was
 * unreachable). A call that the API rejected with 401 because of the token it carried is replayed
 * once without the token (the 401 listeners have dropped it by then): a 401 is answered before the
 * view runs, so nothing was written, and a stale token never blocks public pages or the login form.
 */
export async function request<T>(call: () => Promise<ClientResult<T>>): Promise<T> {
  const tokenSent = authToken;
  let result = await send(call);
  if (result.response.status === 401 && tokenSent !== null && authToken === null) result = await send(call);
  const { data, error, response } = result;
  if (!response.ok) throw toApiError(response.status, error);
  return data as T;
}

async function send<T>(call: () => Promise<ClientResult<T>>): Promise<ClientResult<T>> {
  try {
    return await call();
  } catch {
    throw new ApiError(0, { [NETWORK_FIELD]: ["Could not reach the server. Check your connection and try again."] });
  }
}
