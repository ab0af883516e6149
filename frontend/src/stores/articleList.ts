/**
 * One article list (home feeds, tag view, a profile's articles or favorites): loading, errors, the
 * current page, and optimistic favorites.
 */
import { writable, type Readable } from "svelte/store";
import { listArticles, setFavorite, type ArticleQuery } from "src/api/articles";
import { errorMessages, type ArticleListItem } from "src/api/client";
import { PAGE_SIZE } from "src/config";
import { pageCount } from "src/utils/pagination";
import { optimistic } from "./optimistic";
import { requireUser } from "./session";

export interface ArticleListState {
  status: "loading" | "ready" | "error";
  articles: ArticleListItem[];
  articlesCount: number;
  page: number;
  totalPages: number;
  /** Why the list could not be loaded. */
  errors: string[];
  /** Why the last favorite/unfavorite was undone. */
  actionErrors: string[];
  /** Slugs with a favorite request in flight. */
  pending: string[];
}

export interface ArticleListStore extends Readable<ArticleListState> {
  load(query: ArticleQuery): Promise<void>;
  reload(): Promise<void>;
  toggleFavorite(slug: string): Promise<void>;
}

const initialState: ArticleListState = {
  status: "loading",
  articles: [],
  articlesCount: 0,
  page: 1,
  totalPages: 0,
  errors: [],
  actionErrors: [],
  pending: [],
};

export function createArticleList(pageSize = PAGE_SIZE): ArticleListStore {
  const state = writable<ArticleListState>(initialState);
  let generation = 0;
  let lastQuery: ArticleQuery | null = null;
  let current: ArticleListState = initialState;
  state.subscribe((value) => (current = value));

  async function load(query: ArticleQuery): Promise<void> {
    const mine = ++generation;
    lastQuery = query;
    state.set({ ...initialState, page: query.page });
    try {
      const { articles, articlesCount } = await listArticles(query, pageSize);
      if (mine !== generation) return; // a newer load won
      state.set({
        ...initialState,
        status: "ready",
        articles,
        articlesCount,
        page: query.page,
        totalPages: pageCount(articlesCount, pageSize),
      });
    } catch (error) {
      if (mine !== generation) return;
      state.set({ ...initialState, status: "error", page: query.page, errors: errorMessages(error) });
    }
  }

  function patch(slug: string, change: Pick<ArticleListItem, "favorited" | "favoritesCount">): void {
    state.update((s) => ({ ...s, articles: s.articles.map((a) => (a.slug === slug ? { ...a, ...change } : a)) }));
  }

  function setPending(slug: string, on: boolean): void {
    state.update((s) => ({
      ...s,
      pending: on ? [...s.pending, slug] : s.pending.filter((p) => p !== slug),
    }));
  }

  async function toggleFavorite(slug: string): Promise<void> {
    if (!requireUser() || current.pending.includes(slug)) return;
    const article = current.articles.find((a) => a.slug === slug);
    if (!article) return;
    const on = !article.favorited;
    setPending(slug, true);
    state.update((s) => ({ ...s, actionErrors: [] }));
    const errors = await optimistic({
      apply: () => {
        const before = { favorited: article.favorited, favoritesCount: article.favoritesCount };
        patch(slug, { favorited: on, favoritesCount: Math.max(0, article.favoritesCount + (on ? 1 : -1)) });
        return before;
      },
      request: () => setFavorite(slug, on),
      commit: (fresh) => patch(slug, { favorited: fresh.favorited, favoritesCount: fresh.favoritesCount }),
      rollback: (before) => patch(slug, before),
    });
    setPending(slug, false);
    if (errors) state.update((s) => ({ ...s, actionErrors: errors }));
  }

  return {
    subscribe: state.subscribe,
    load,
    reload: () => (lastQuery ? load(lastQuery) : Promise.resolve()),
    toggleFavorite,
  };
}
