/**
 * The client's own logic, without a server (make sdk-check): the token header, errors and
 * problems, ETags and the cursor walk, on a fetch that answers from a script.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { ConduitError, createConduitClient, etagOf, isProblem, pages, problemKind, unwrap } from "../src/index.js";

const baseUrl = "https://conduit.test/api/v2/";
const PROBLEM = {
  type: "tag:conduit.test,2026:problem:precondition-failed",
  title: "Precondition failed",
  status: 412,
  detail: "The article changed since it was read.",
  errors: { resource: ["has changed"] },
};

/** A fetch that records each request and answers with the next of `responses`. */
function scriptedFetch(...responses: Response[]): { fetch: typeof globalThis.fetch; requests: Request[] } {
  const requests: Request[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    requests.push(new Request(input, init));
    const response = responses.shift();
    assert.ok(response, "no response left in the script");
    return response;
  };
  return { fetch, requests };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

const problem = (body: typeof PROBLEM): Response =>
  new Response(JSON.stringify(body), { status: body.status, headers: { "Content-Type": "application/problem+json" } });

describe("createConduitClient", () => {
  test("sends the token as 'Token <jwt>', read on every request", async () => {
    let token: string | null = "first";
    const { fetch, requests } = scriptedFetch(json({ tags: [] }), json({ tags: [] }), json({ tags: [] }));
    const client = createConduitClient({ baseUrl, fetch, token: () => token });

    await client.GET("/tags");
    token = null;
    await client.GET("/tags");
    await client.GET("/tags", { headers: { Authorization: "Token other" } });

    assert.equal(requests[0]?.url, "https://conduit.test/api/v2/tags");
    assert.equal(requests[0]?.headers.get("Authorization"), "Token first");
    assert.equal(requests[1]?.headers.get("Authorization"), null);
    assert.equal(requests[2]?.headers.get("Authorization"), "Token other");
  });

  test("sends If-Match from the call's header parameters", async () => {
    const { fetch, requests } = scriptedFetch(json({ article: {} }));
    const client = createConduitClient({ baseUrl, fetch, token: "jwt" });
    await client.PUT("/articles/{slug}", {
      params: { path: { slug: "a b" }, header: { "If-Match": '"v1"' } },
      body: { article: { body: "x" } },
    });
    assert.equal(requests[0]?.url, "https://conduit.test/api/v2/articles/a%20b");
    assert.equal(requests[0]?.headers.get("If-Match"), '"v1"');
  });
});

describe("unwrap and ConduitError", () => {
  test("returns the data of a success", async () => {
    const { fetch } = scriptedFetch(json({ tags: ["a"] }));
    assert.deepEqual(await unwrap(createConduitClient({ baseUrl, fetch }).GET("/tags")), { tags: ["a"] });
  });

  test("throws the problem of an error response", async () => {
    const { fetch } = scriptedFetch(problem(PROBLEM));
    const call = createConduitClient({ baseUrl, fetch }).GET("/tags");
    await assert.rejects(unwrap(call), (error: unknown) => {
      assert.ok(error instanceof ConduitError);
      assert.equal(error.status, 412);
      assert.ok(error.isPreconditionFailed);
      assert.deepEqual(error.problem, PROBLEM);
      assert.deepEqual(error.fieldErrors, { resource: ["has changed"] });
      assert.equal(problemKind(error.problem!), "precondition-failed");
      assert.match(error.message, /412 Precondition failed/);
      return true;
    });
  });

  test("an error body that is no problem still throws, without a problem", async () => {
    const { fetch } = scriptedFetch(new Response("Bad gateway", { status: 502 }));
    await assert.rejects(unwrap(createConduitClient({ baseUrl, fetch }).GET("/tags")), (error: unknown) => {
      assert.ok(error instanceof ConduitError);
      assert.equal(error.status, 502);
      assert.equal(error.problem, undefined);
      assert.deepEqual(error.fieldErrors, {});
      return true;
    });
  });

  test("isProblem", () => {
    assert.ok(isProblem(PROBLEM));
    for (const body of [null, "x", {}, { errors: {} }, { type: "t", title: "t", status: "412" }]) {
      assert.equal(isProblem(body), false, JSON.stringify(body));
    }
  });
});

test("problemKind is the last segment of the type URI, tag: or https:", () => {
  assert.equal(problemKind(PROBLEM), "precondition-failed");
  assert.equal(problemKind({ ...PROBLEM, type: "https://conduit.test/problems/not-found/" }), "not-found");
});

test("etagOf reads the ETag, or says there is none", () => {
  assert.equal(etagOf(new Response(null, { headers: { ETag: '"abc"' } })), '"abc"');
  assert.throws(() => etagOf(new Response(null)), /no ETag/);
});

test("pages follows nextCursor until it is null", async () => {
  const page = (slugs: string[], nextCursor: string | null) => ({
    articles: slugs.map((slug) => ({ slug })),
    nextCursor,
    links: { next: nextCursor && `/api/v2/articles?cursor=${nextCursor}` },
  });
  const { fetch, requests } = scriptedFetch(json(page(["c", "b"], "c2")), json(page(["a"], null)));
  const client = createConduitClient({ baseUrl, fetch });

  const seen: string[] = [];
  for await (const p of pages((cursor) =>
    client.GET("/articles", { params: { query: { limit: 2, ...(cursor ? { cursor } : {}) } } }),
  )) {
    seen.push(...p.articles.map((a) => a.slug));
  }
  assert.deepEqual(seen, ["c", "b", "a"]);
  assert.deepEqual(
    requests.map((r) => new URL(r.url).search),
    ["?limit=2", "?limit=2&cursor=c2"],
  );
});
