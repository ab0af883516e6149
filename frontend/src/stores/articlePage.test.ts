// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from "vitest";
import { get } from "svelte/store";
import { makeArticle, makeComment, makeProfile, makeUser } from "src/test/fixtures";
import { api, apiError, http, HttpResponse, server } from "src/test/server";

beforeEach(() => {
  vi.resetModules();
});

async function openArticle(article = makeArticle()) {
  server.use(
    http.post(api("/users/login"), () => HttpResponse.json({ user: makeUser({ username: "amy", token: "t-amy" }) })),
    http.get(api("/articles/:slug"), () => HttpResponse.json({ article })),
    http.get(api("/articles/:slug/comments"), () => HttpResponse.json({ comments: [makeComment()] })),
  );
  const { login } = await import("./session");
  await login("amy@example.com", "password123");
  const { createArticlePage } = await import("./articlePage");
  const page = createArticlePage();
  await page.load(article.slug);
  await vi.waitFor(() => expect(get(page).comments.status).toBe("ready"));
  return page;
}

describe("article page", () => {
  it("renders the body as sanitized HTML", async () => {
    const page = await openArticle(makeArticle({ body: "**hi** <img src=x onerror=alert(1)><script>alert(2)</script>" }));
    expect(get(page).status).toBe("ready");
    expect(get(page).html).toContain("<strong>hi</strong>");
    expect(get(page).html).not.toMatch(/onerror|<script/);
  });

  it("shows why the article could not be loaded", async () => {
    server.use(
      http.get(api("/articles/:slug"), () => apiError(404, { article: ["not found"] })),
      http.get(api("/articles/:slug/comments"), () => apiError(404, { article: ["not found"] })),
    );
    const { createArticlePage } = await import("./articlePage");
    const page = createArticlePage();
    await page.load("missing");
    expect(get(page)).toMatchObject({ status: "error", errors: ["article not found"] });
  });

  it("follows the author optimistically and rolls back on failure", async () => {
    const page = await openArticle();
    server.use(http.post(api("/profiles/:username/follow"), () => HttpResponse.error()));
    const pending = page.toggleFollow();
    expect(get(page).article?.author.following).toBe(true);
    await pending;
    expect(get(page).article?.author.following).toBe(false);
    expect(get(page).actionErrors[0]).toMatch(/^Unable to connect/);

    server.use(
      http.post(api("/profiles/:username/follow"), () => HttpResponse.json({ profile: makeProfile({ following: true }) })),
    );
    await page.toggleFollow();
    expect(get(page).article?.author.following).toBe(true);
    expect(get(page).actionErrors).toEqual([]);
  });

  it("adds a comment on top and deletes it", async () => {
    const page = await openArticle();
    server.use(
      http.post(api("/articles/:slug/comments"), async ({ request }) => {
        const { comment } = (await request.json()) as { comment: { body: string } };
        return HttpResponse.json({ comment: makeComment({ id: 2, body: comment.body }) }, { status: 201 });
      }),
      http.delete(api("/articles/:slug/comments/:id"), () => new HttpResponse(null, { status: 204 })),
    );
    expect(await page.addComment("   ")).toBe(false);
    expect(get(page).comments.postErrors).toEqual(["body can't be blank"]);
    expect(await page.addComment("  Great read  ")).toBe(true);
    expect(get(page).comments.items.map((c) => [c.id, c.body])).toEqual([
      [2, "Great read"],
      [1, "Nice one"],
    ]);
    await page.deleteComment(2);
    expect(get(page).comments.items.map((c) => c.id)).toEqual([1]);
  });
});
