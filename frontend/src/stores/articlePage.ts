/**
 * The article page: the article with its rendered body, its comments, and the reader's actions
 * (favorite and follow, optimistic; comment; the author's delete).
 */
import { writable, type Readable } from "svelte/store";
import * as articlesApi from "src/api/articles";
import * as commentsApi from "src/api/comments";
import { setFollowing } from "src/api/profiles";
import { errorMessages, type Article, type Comment } from "src/api/client";
import { optimistic } from "./optimistic";
import { requireUser } from "./session";

export interface ArticlePageState {
  status: "loading" | "ready" | "error";
  article: Article | null;
  /** The body as sanitized HTML. */
  html: string;
  /** The body is rendered (the renderer loads after the article: the banner shows first). */
  bodyReady: boolean;
  errors: string[];
  /** Why the last favorite/follow/delete failed. */
  actionErrors: string[];
  favoritePending: boolean;
  followPending: boolean;
  deleting: boolean;
  comments: {
    status: "loading" | "ready" | "error";
    items: Comment[];
    errors: string[];
    posting: boolean;
    postErrors: string[];
    deleting: number[];
  };
}

export interface ArticlePageStore extends Readable<ArticlePageState> {
  load(slug: string): Promise<void>;
  loadComments(): Promise<void>;
  toggleFavorite(): Promise<void>;
  toggleFollow(): Promise<void>;
  /** Resolves to true when the comment was posted (the form can be cleared). */
  addComment(body: string): Promise<boolean>;
  deleteComment(id: number): Promise<void>;
  /** Resolves to true when the article is gone. */
  deleteArticle(): Promise<boolean>;
}

const emptyComments: ArticlePageState["comments"] = {
  status: "loading",
  items: [],
  errors: [],
  posting: false,
  postErrors: [],
  deleting: [],
};

const initialState: ArticlePageState = {
  status: "loading",
  article: null,
  html: "",
  bodyReady: false,
  errors: [],
  actionErrors: [],
  favoritePending: false,
  followPending: false,
  deleting: false,
  comments: emptyComments,
};

export function createArticlePage(): ArticlePageStore {
  const state = writable<ArticlePageState>(initialState);
  let current = initialState;
  state.subscribe((value) => (current = value));
  let slug = "";
  let generation = 0;

  const set = (change: Partial<ArticlePageState>) => state.update((s) => ({ ...s, ...change }));
  const setComments = (change: Partial<ArticlePageState["comments"]>) =>
    state.update((s) => ({ ...s, comments: { ...s.comments, ...change } }));
  const patchArticle = (change: Partial<Article>) =>
    state.update((s) => (s.article ? { ...s, article: { ...s.article, ...change } } : s));

  async function load(nextSlug: string): Promise<void> {
    const mine = ++generation;
    slug = nextSlug;
    state.set(initialState);
    const markdown = import("src/utils/markdown"); // fetch the renderer while the article loads
    markdown.catch(() => undefined); // a failed chunk is reported below, not as an unhandled rejection
    void loadComments();
    try {
      // The title and meta show as soon as the article arrives; the body once the renderer has loaded.
      const article = await articlesApi.getArticle(nextSlug);
      if (mine !== generation) return;
      set({ status: "ready", article, html: "", errors: [] });
      const { renderMarkdown } = await markdown;
      if (mine !== generation) return;
      set({ html: renderMarkdown(article.body), bodyReady: true });
    } catch (error) {
      if (mine !== generation) return;
      set({ status: "error", article: null, html: "", bodyReady: false, errors: errorMessages(error) });
    }
  }

  async function loadComments(): Promise<void> {
    const mine = generation;
    setComments({ status: "loading", errors: [] });
    try {
      const items = await commentsApi.listComments(slug);
      if (mine === generation) setComments({ status: "ready", items, errors: [] });
    } catch (error) {
      if (mine === generation) setComments({ status: "error", items: [], errors: errorMessages(error) });
    }
  }

  async function toggleFavorite(): Promise<void> {
    const article = current.article;
    if (!article || current.favoritePending || !requireUser()) return;
    const on = !article.favorited;
    set({ favoritePending: true, actionErrors: [] });
    const errors = await optimistic({
      apply: () => {
        const before = { favorited: article.favorited, favoritesCount: article.favoritesCount };
        patchArticle({ favorited: on, favoritesCount: Math.max(0, article.favoritesCount + (on ? 1 : -1)) });
        return before;
      },
      request: () => articlesApi.setFavorite(article.slug, on),
      commit: (fresh) => patchArticle({ favorited: fresh.favorited, favoritesCount: fresh.favoritesCount }),
      rollback: (before) => patchArticle(before),
    });
    set({ favoritePending: false, actionErrors: errors ?? [] });
  }

  async function toggleFollow(): Promise<void> {
    const article = current.article;
    if (!article || current.followPending || !requireUser()) return;
    const author = article.author;
    const on = !author.following;
    set({ followPending: true, actionErrors: [] });
    const errors = await optimistic({
      apply: () => {
        patchArticle({ author: { ...author, following: on } });
        return author;
      },
      request: () => setFollowing(author.username, on),
      commit: (profile) => patchArticle({ author: profile }),
      rollback: (before) => patchArticle({ author: before }),
    });
    set({ followPending: false, actionErrors: errors ?? [] });
  }

  async function addComment(body: string): Promise<boolean> {
    const text = body.trim();
    if (!text) {
      setComments({ postErrors: ["body can't be blank"] });
      return false;
    }
    if (current.comments.posting || !requireUser()) return false;
    setComments({ posting: true, postErrors: [] });
    try {
      const comment = await commentsApi.addComment(slug, text);
      state.update((s) => ({
        ...s,
        comments: { ...s.comments, posting: false, items: [comment, ...s.comments.items.filter((c) => c.id !== comment.id)] },
      }));
      return true;
    } catch (error) {
      setComments({ posting: false, postErrors: errorMessages(error) });
      return false;
    }
  }

  async function deleteComment(id: number): Promise<void> {
    if (current.comments.deleting.includes(id)) return;
    setComments({ deleting: [...current.comments.deleting, id], postErrors: [] });
    try {
      await commentsApi.deleteComment(slug, id);
      state.update((s) => ({
        ...s,
        comments: {
          ...s.comments,
          items: s.comments.items.filter((c) => c.id !== id),
          deleting: s.comments.deleting.filter((d) => d !== id),
        },
      }));
    } catch (error) {
      state.update((s) => ({
        ...s,
        comments: { ...s.comments, deleting: s.comments.deleting.filter((d) => d !== id), postErrors: errorMessages(error) },
      }));
    }
  }

  async function deleteArticle(): Promise<boolean> {
    const article = current.article;
    if (!article || current.deleting) return false;
    set({ deleting: true, actionErrors: [] });
    try {
      await articlesApi.deleteArticle(article.slug);
      set({ deleting: false });
      return true;
    } catch (error) {
      set({ deleting: false, actionErrors: errorMessages(error) });
      return false;
    }
  }

  return {
    subscribe: state.subscribe,
    load,
    loadComments,
    toggleFavorite,
    toggleFollow,
    addComment,
    deleteComment,
    deleteArticle,
  };
}
