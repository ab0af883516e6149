/**
 * The MSW server for unit tests. Handlers are written per test with `server.use(...)` and `api()`,
 * whose bodies are checked against the generated schema types.
 */
import { http, HttpResponse, type JsonBodyType } from "msw";
import { setupServer } from "msw/node";
import { API_URL } from "src/config";
import type { components } from "src/api/schema";

export const server = setupServer();

/** The absolute URL of an API path ("/articles/:slug"). */
export const api = (path: string): string => `${API_URL}${path}`;

/** The API's error envelope with a status. */
export function apiError(status: number, errors: components["schemas"]["Error"]["errors"]): HttpResponse<JsonBodyType> {
  return HttpResponse.json({ errors }, { status });
}

export { http, HttpResponse };
