/**
 * The Conduit API v2 client: openapi-fetch typed by the schema's generated types (./schema.ts,
 * from openapi.v2.yaml; `npm run gen`), with what every app needs on top of it: the token header,
 * problem details as a typed error, ETags for conditional writes, and cursor pagination.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";

import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths } from "./schema.js";

type Schemas = components["schemas"];
export type Article = Schemas["Article"];
export type ArticleListItem = Schemas["ArticleListItem"];
export type Comment = Schemas["Comment"];
export type Notification = Schemas["Notification"];
export type Profile = Schemas["Profile"];
export type User = Schemas["User"];
/** An RFC 9457 problem: every v2 error body (`Content-Type: application/problem+json`). */
export type Problem = Schemas["Problem"];

export type ConduitClient = Client<paths>;

export interface ConduitClientOptions {
  /** The API's URL, version included, e.g. "https://conduit.example.com/api/v2". */
  baseUrl: string;
  /**
   * The JWT from sign-up or sign-in, sent as `Authorization: Token <jwt>`; or a function that
   * returns the current one (null or undefined: anonymous), read on every request.
   */
  token?: string | (() => string | null | undefined);
  /** Another fetch (tests, a runtime without a global one). */
  fetch?: typeof globalThis.fetch;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

/** A client for every operation of the schema: `client.GET("/articles/{slug}", { params: { path: { slug } } })`. */
export function createConduitClient(options: ConduitClientOptions): ConduitClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
  const { token } = options;
  if (token !== undefined) {
    const authorization: Middleware = {
      onRequest({ request }) {
        const jwt = typeof token === "function" ? token() : token;
        // A header set on the call itself wins (e.g. another user's token for one request).
        if (jwt && !request.headers.has("Authorization")) request.headers.set("Authorization", `Token ${jwt}`);
        return request;
      },
    };
    client.use(authorization);
  }
  return client;
}

/** Whether a parsed error body is a problem (v2 answers every error with one). */
export function isProblem(body: unknown): body is Problem {
  if (typeof body !== "object" || body === null) return false;
  const { type, title, status } = body as Record<string, unknown>;
  return typeof type === "string" && typeof title === "string" && typeof status === "number";
}

/**
 * The kind of a problem, the last segment of its `type` URI (`tag:...:problem:precondition-failed`
 * or `https://.../precondition-failed`): `validation-failed`, `precondition-failed`, `not-found`...
 */
export function problemKind(problem: Problem): string {
  return /[^/:]*$/.exec(problem.type.replace(/\/+$/, ""))?.[0] ?? "";
}

/** An error response, thrown by `unwrap()`: `problem` holds its body when it is a problem. */
export class ConduitError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;
  readonly response: Response;

  constructor(response: Response, body: unknown) {
    const problem = isProblem(body) ? body : undefined;
    super(problem ? `${response.status} ${problem.title}: ${problem.detail}` : `HTTP ${response.status}`);
    this.name = "ConduitError";
    this.status = response.status;
    this.problem = problem;
    this.response = response;
  }

  /** The messages per field of a validation problem (422): `{ title: ["can't be blank"] }`. */
  get fieldErrors(): Record<string, string[]> {
    return this.problem?.errors ?? {};
  }

  /** A lost update: the resource changed since its ETag was read (If-Match did not match). */
  get isPreconditionFailed(): boolean {
    return this.status === 412;
  }
}

/** What openapi-fetch's calls resolve to, reduced to what unwrap() reads. */
export interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The body of a successful response, or a ConduitError thrown for an error response. */
export async function unwrap<T>(call: Promise<FetchResult<T>> | FetchResult<T>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) throw new ConduitError(response, error);
  return data as T;
}

/**
 * The ETag of a response (articles, the user): pass it back as `If-Match` on the next PUT, whose
 * answer is then 412 instead of overwriting someone else's change.
 */
export function etagOf(response: Response): string {
  const etag = response.headers.get("ETag");
  if (!etag) throw new Error(`no ETag on ${response.url}`);
  return etag;
}

/** A page of a v2 list: its items, then `nextCursor` (null on the last page). */
export interface CursorPage {
  nextCursor: string | null;
  links?: { next: string | null };
}

/**
 * Every page of a cursor-paginated list, in order: `fetchPage` gets the previous page's
 * `nextCursor` (undefined for the first) and the walk ends on a page whose `nextCursor` is null.
 *
 *   for await (const page of pages((cursor) =>
 *     client.GET("/articles", { params: { query: { tag: "dragons", limit: 50, cursor } } }))) { ... }
 */
export async function* pages<Page extends CursorPage>(
  fetchPage: (cursor: string | undefined) => Promise<FetchResult<Page>>,
): AsyncGenerator<Page, void, undefined> {
  let cursor: string | undefined;
  do {
    const page: Page = await unwrap(fetchPage(cursor));
    yield page;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** The operations' query parameters, e.g. `Query<"articles_list">` for `GET /articles`. */
export type Query<Operation extends keyof operations> = NonNullable<operations[Operation]["parameters"]["query"]>;
