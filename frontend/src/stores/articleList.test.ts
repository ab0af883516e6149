import { beforeEach, describe, expect, it, vi } from "vitest";
import { get } from "svelte/store";
import { makeArticle, makeListItem, makeUser } from "src/test/fixtures";
import { api, apiError, http, HttpResponse, server } from "src/test/server";

beforeEach(() => {
  vi.resetModules();
});

async function signedInList() {
  server.use(http.post(api("/users/login"), () => HttpResponse.json({ user: makeUser() })));
  const { login } = await import("./session");
  await login("jake@example.com", "password123");
  const { createArticleList } = await import("./articleList");
  return createArticleList(10);
}

describe("article list", () => {
  it("loads a page with limit/offset and counts the pages", async () => {
    let query: URLSearchParams | null = null;
    server.use(
      http.get(api("/articles"), ({ request }) => {
        query = new URL(request.url).searchParams;
        return HttpResponse.json({ articles: [makeListItem()], articlesCount: 21 });
      }),
    );
    const list = await signedInList();
    const pending = list.load({ tag: "dragons", page: 3 });
    expect(get(list).status).toBe("loading");
    await pending;
    expect(Object.fromEntries(query!)).toEqual({ tag: "dragons", limit: "10", offset: "20" });
    expect(get(list)).toMatchObject({ status: "ready", page: 3, totalPages: 3, articlesCount: 21 });
  });

  it("links no page beyond the deepest offset the API accepts", async () => {
    // Ref: #9: 1,000,000 matches at 10 a page; offset 1000 (page 101) is the last the API serves.
    server.use(http.get(api("/articles"), () => HttpResponse.json({ articles: [makeListItem()], articlesCount: 1_000_000 })));
    const list = await signedInList();
    await list.load({ page: 1 });
    expect(get(list)).toMatchObject({ status: "ready", totalPages: 101, articlesCount: 1_000_000 });
  });

  it("uses the feed endpoint for 'your feed'", async () => {
    server.use(http.get(api("/articles/feed"), () => HttpResponse.json({ articles: [], articlesCount: 0 })));
    const list = await signedInList();
    await list.load({ feed: "following", page: 1 });
    expect(get(list)).toMatchObject({ status: "ready", articles: [], totalPages: 0 });
  });

  it("keeps the newest load when answers arrive out of order", async () => {
    server.use(
      http.get(api("/articles"), async ({ request }) => {
        const tag = new URL(request.url).searchParams.get("tag");
        if (tag === "slow") await new Promise((r) => setTimeout(r, 50));
        return HttpResponse.json({ articles: [makeListItem({ slug: tag ?? "none" })], articlesCount: 1 });
      }),
    );
    const list = await signedInList();
    const slow = list.load({ tag: "slow", page: 1 });
    const fast = list.load({ tag: "fast", page: 1 });
    await Promise.all([slow, fast]);
    expect(get(list).articles.map((a) => a.slug)).toEqual(["fast"]);
  });

  it("reports a failed load with the API's reasons", async () => {
    server.use(http.get(api("/articles"), () => apiError(422, { limit: ["must be positive"] })));
    const list = await signedInList();
    await list.load({ page: 1 });
    expect(get(list)).toMatchObject({ status: "error", errors: ["limit must be positive"] });
  });

  it("favorites optimistically and keeps the API's count", async () => {
    server.use(
      http.get(api("/articles"), () => HttpResponse.json({ articles: [makeListItem({ favoritesCount: 4 })], articlesCount: 1 })),
      http.post(api("/articles/:slug/favorite"), () =>
        HttpResponse.json({ article: makeArticle({ favorited: true, favoritesCount: 7 }) }),
      ),
    );
    const list = await signedInList();
    await list.load({ page: 1 });
    const pending = list.toggleFavorite("how-to-train-your-dragon");
    expect(get(list).articles[0]).toMatchObject({ favorited: true, favoritesCount: 5 }); // at once
    expect(get(list).pending).toEqual(["how-to-train-your-dragon"]);
    await pending;
    expect(get(list).articles[0]).toMatchObject({ favorited: true, favoritesCount: 7 });
    expect(get(list).pending).toEqual([]);
  });

  it("rolls a favorite back when the API refuses it", async () => {
    server.use(
      http.get(api("/articles"), () =>
        HttpResponse.json({ articles: [makeListItem({ favorited: true, favoritesCount: 1 })], articlesCount: 1 }),
      ),
      http.delete(api("/articles/:slug/favorite"), () => apiError(404, { article: ["not found"] })),
    );
    const list = await signedInList();
    await list.load({ page: 1 });
    const pending = list.toggleFavorite("how-to-train-your-dragon");
    expect(get(list).articles[0]).toMatchObject({ favorited: false, favoritesCount: 0 });
    await pending;
    expect(get(list).articles[0]).toMatchObject({ favorited: true, favoritesCount: 1 });
    expect(get(list).actionErrors).toEqual(["article not found"]);
  });
});
