/** Articles: lists, feed, one article, writes and favorites. */
import { PAGE_SIZE } from "src/config";
import { pageToQuery } from "src/utils/pagination";
import { client, request } from "./client";
import { idempotencyKey, idempotencyKeyUsed } from "./idempotency";
import type { Article, ArticleCreateRequest, ArticleListItem, ArticleUpdateRequest } from "./client";

/** Which articles a list shows. `feed: "following"` is the signed-in user's feed. */
export interface ArticleQuery {
  feed?: "global" | "following";
  tag?: string | null;
  author?: string | null;
  favorited?: string | null;
  page: number;
}

export interface ArticlePage {
  articles: ArticleListItem[];
  articlesCount: number;
}

export function listArticles(query: ArticleQuery, pageSize = PAGE_SIZE): Promise<ArticlePage> {
  const { limit, offset } = pageToQuery(query.page, pageSize);
  if (query.feed === "following") {
    return request(() => client.GET("/articles/feed", { params: { query: { limit, offset } } }));
  }
  const filters = {
    ...(query.tag ? { tag: query.tag } : {}),
    ...(query.author ? { author: query.author } : {}),
    ...(query.favorited ? { favorited: query.favorited } : {}),
  };
  // The filter before the paging parameters (`?author=x&limit=10&offset=0`), as the RealWorld
  // reference apps send them: shared front-end suites match requests on that order.
  return request(() => client.GET("/articles", { params: { query: { ...filters, limit, offset } } }));
}

export async function getArticle(slug: string): Promise<Article> {
  const data = await request(() => client.GET("/articles/{slug}", { params: { path: { slug } } }));
  return data.article;
}

export async function createArticle(article: ArticleCreateRequest): Promise<Article> {
  const body = { article };
  const header = { "Idempotency-Key": idempotencyKey("articles_create", body) };
  const data = await request(() => client.POST("/articles", { params: { header }, body }));
  idempotencyKeyUsed("articles_create");
  return data.article;
}

export async function updateArticle(slug: string, article: ArticleUpdateRequest): Promise<Article> {
  const data = await request(() => client.PUT("/articles/{slug}", { params: { path: { slug } }, body: { article } }));
  return data.article;
}

export async function deleteArticle(slug: string): Promise<void> {
  await request(() => client.DELETE("/articles/{slug}", { params: { path: { slug } } }));
}

/** Favorites (`on`) or unfavorites an article; returns the article as the API now sees it. */
export async function setFavorite(slug: string, on: boolean): Promise<Article> {
  const init = { params: { path: { slug } } };
  const data = await request(() =>
    on ? client.POST("/articles/{slug}/favorite", init) : client.DELETE("/articles/{slug}/favorite", init),
  );
  return data.article;
}
