/**
 * The TypeScript SDK against a live v2 server (make sdk-test sets CONDUIT_API_URL): sign up, sign
 * in, publish, search, walk a list to its end with the cursor, lose an edit race (412) and recover,
 * and read a validation problem's per-field errors.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, describe, test } from "node:test";

import {
  type ArticleListItem,
  type ConduitClient,
  ConduitError,
  createConduitClient,
  etagOf,
  pages,
  problemKind,
  unwrap,
} from "../src/index.js";

const baseUrl = process.env.CONDUIT_API_URL ?? "";
const PASSWORD = "correct horse battery staple";
const PROBLEM_JSON = "application/problem+json";

const unique = (prefix: string): string => `${prefix}${randomUUID().replaceAll("-", "").slice(0, 12)}`;

interface Account {
  username: string;
  email: string;
  token: string;
}

async function signUp(): Promise<Account> {
  const username = unique("sdkts");
  const email = `${username}@example.com`;
  const { user } = await unwrap(
    createConduitClient({ baseUrl }).POST("/users", { body: { user: { username, email, password: PASSWORD } } }),
  );
  return { username, email, token: user.token };
}

async function publish(client: ConduitClient, title: string, body = "Body."): Promise<string> {
  const { article } = await unwrap(
    client.POST("/articles", { body: { article: { title, description: "About it.", body, tagList: [] } } }),
  );
  return article.slug;
}

/** A call expected to fail: its ConduitError. */
async function rejection(call: Promise<unknown>): Promise<ConduitError> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ConduitError, String(error));
    return error;
  }
  assert.fail("the call succeeded");
}

describe("the TypeScript SDK against a live server", () => {
  let account: Account;
  let client: ConduitClient;
  const anonymous = createConduitClient({ baseUrl });

  before(async () => {
    assert.ok(baseUrl, "set CONDUIT_API_URL to a running v2 API, e.g. http://127.0.0.1:8000/api/v2 (make sdk-test does)");
    account = await signUp();
    client = createConduitClient({ baseUrl, token: () => account.token });
  });

  test("sign-in gives a token that works", async () => {
    const { user } = await unwrap(
      anonymous.POST("/users/login", { body: { user: { email: account.email, password: PASSWORD } } }),
    );
    const me = await unwrap(createConduitClient({ baseUrl, token: user.token }).GET("/user"));
    assert.equal(me.user.username, account.username);
    // v2 says "no value" with null, not "" (v1's RealWorld shape).
    assert.equal(me.user.bio, null);
    assert.equal(me.user.image, null);
  });

  test("a published article is found by search", async () => {
    const word = unique("zephyr");
    const slug = await publish(client, `On ${word} and other winds`, `The ${word} blows west.`);

    const { article } = await unwrap(anonymous.GET("/articles/{slug}", { params: { path: { slug } } }));
    // Timestamps carry an explicit offset.
    assert.match(article.createdAt, /(Z|[+-]\d\d:\d\d)$/);

    const found = await unwrap(anonymous.GET("/articles", { params: { query: { q: word } } }));
    assert.deepEqual(
      found.articles.map((a) => a.slug),
      [slug],
    );
    // A search has no cheap exact total: v2 leaves articlesCount out rather than guess.
    assert.equal(found.articlesCount, undefined);
  });

  test("cursor pagination walks the list to its end", async () => {
    // An author of its own: exactly the 7 articles below.
    const author = await signUp();
    const authorClient = createConduitClient({ baseUrl, token: author.token });
    const published: string[] = [];
    for (let n = 0; n < 7; n++) published.push(await publish(authorClient, `Page test ${n} ${unique("t")}`));
    const newestFirst = [...published].reverse();

    const seen: ArticleListItem[][] = [];
    for await (const page of pages((cursor) =>
      anonymous.GET("/articles", { params: { query: { author: author.username, limit: 3, ...(cursor ? { cursor } : {}) } } }),
    )) {
      seen.push(page.articles);
      // links.next is the same page as nextCursor, as a URL for clients that follow links.
      assert.equal(page.links.next === null, page.nextCursor === null);
      // Lists by author have an exact count from counter rows.
      assert.equal(page.articlesCount, 7);
    }
    assert.deepEqual(
      seen.map((articles) => articles.length),
      [3, 3, 1],
    );
    assert.deepEqual(
      seen.flat().map((a) => a.slug),
      newestFirst,
    );

    // The whole list too: ours are all there, newest first, none twice.
    const everything: string[] = [];
    for await (const page of pages((cursor) =>
      anonymous.GET("/articles", { params: { query: { limit: 5, ...(cursor ? { cursor } : {}) } } }),
    )) {
      everything.push(...page.articles.map((a) => a.slug));
    }
    assert.equal(new Set(everything).size, everything.length);
    assert.deepEqual(
      everything.filter((slug) => published.includes(slug)),
      newestFirst,
    );
  });

  test("a stale If-Match gets 412 and writes nothing", async () => {
    const slug = await publish(client, unique("Concurrent "));
    const path = { slug };
    const read = await client.GET("/articles/{slug}", { params: { path } });
    const staleEtag = etagOf(read.response);

    // Another editor saves first, with the ETag it read...
    const saved = await client.PUT("/articles/{slug}", {
      params: { path, header: { "If-Match": staleEtag } },
      body: { article: { body: "Their edit." } },
    });
    assert.equal(saved.response.status, 200);
    assert.notEqual(etagOf(saved.response), staleEtag);

    // ...so this one, based on the old representation, is refused.
    const lost = await rejection(
      unwrap(
        client.PUT("/articles/{slug}", {
          params: { path, header: { "If-Match": staleEtag } },
          body: { article: { body: "My edit." } },
        }),
      ),
    );
    assert.ok(lost.isPreconditionFailed);
    assert.ok(lost.response.headers.get("Content-Type")?.startsWith(PROBLEM_JSON));
    assert.equal(lost.problem?.status, 412);
    assert.equal(problemKind(lost.problem!), "precondition-failed");

    // Nothing was written; the client re-reads, merges and retries with the current ETag.
    const current = await client.GET("/articles/{slug}", { params: { path } });
    assert.equal(current.data?.article.body, "Their edit.");
    const retried = await unwrap(
      client.PUT("/articles/{slug}", {
        params: { path, header: { "If-Match": etagOf(current.response) } },
        body: { article: { body: "Their edit. My edit." } },
      }),
    );
    assert.equal(retried.article.body, "Their edit. My edit.");
  });

  test("a stale If-Match on the user gets 412", async () => {
    const own = createConduitClient({ baseUrl, token: (await signUp()).token });
    const staleEtag = etagOf((await own.GET("/user")).response);
    const setBio = async (bio: string): Promise<number> =>
      (await own.PUT("/user", { params: { header: { "If-Match": staleEtag } }, body: { user: { bio } } })).response.status;

    assert.equal(await setBio("From my phone."), 200);
    assert.equal(await setBio("From my laptop."), 412); // read before the phone's change
    const me = await unwrap(own.GET("/user"));
    assert.equal(me.user.bio, "From my phone.");
  });

  test("a validation error is a problem with per-field errors", async () => {
    const invalid = await rejection(
      unwrap(client.POST("/articles", { body: { article: { title: "", description: "d", body: "b" } } })),
    );
    assert.equal(invalid.status, 422);
    assert.ok(invalid.response.headers.get("Content-Type")?.startsWith(PROBLEM_JSON));
    assert.equal(invalid.problem?.status, 422);
    assert.ok(invalid.fieldErrors.title?.length, "the messages a form shows beside the field");

    // A search cannot be combined with a filter: the problem names the parameter.
    const mixed = await rejection(unwrap(anonymous.GET("/articles", { params: { query: { q: "wind", tag: "weather" } } })));
    assert.equal(mixed.status, 422);
    assert.ok("q" in mixed.fieldErrors);
  });
});
