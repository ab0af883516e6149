/** The article editor: loads an article to edit (the author's only) and publishes new or edited ones. */
import { writable, type Readable } from "svelte/store";
import { createArticle, getArticle, updateArticle } from "src/api/articles";
import { errorMessages, type Article } from "src/api/client";

export interface EditorFields {
  title: string;
  description: string;
  body: string;
  tagList: string[];
}

export interface EditorState {
  status: "loading" | "ready" | "error";
  /** The slug being edited, null for a new article. */
  slug: string | null;
  initial: EditorFields;
  errors: string[];
  submitting: boolean;
}

export interface EditorStore extends Readable<EditorState> {
  /** Prepares the editor for a new article (slug null) or for editing `slug` as `username`. */
  load(slug: string | null, username: string | null): Promise<void>;
  /** Resolves to the published article, or null when the API refused it (errors are in the state). */
  publish(fields: EditorFields): Promise<Article | null>;
}

const blank: EditorFields = { title: "", description: "", body: "", tagList: [] };

export function createEditor(): EditorStore {
  const state = writable<EditorState>({ status: "loading", slug: null, initial: blank, errors: [], submitting: false });
  let slug: string | null = null;
  let generation = 0;

  async function load(nextSlug: string | null, username: string | null): Promise<void> {
    const mine = ++generation;
    slug = nextSlug;
    if (!nextSlug) {
      state.set({ status: "ready", slug: null, initial: blank, errors: [], submitting: false });
      return;
    }
    state.set({ status: "loading", slug: nextSlug, initial: blank, errors: [], submitting: false });
    try {
      const article = await getArticle(nextSlug);
      if (mine !== generation) return;
      if (article.author.username !== username) {
        state.set({ status: "error", slug: nextSlug, initial: blank, errors: ["You can only edit your own articles."], submitting: false });
        return;
      }
      const { title, description, body, tagList } = article;
      state.set({ status: "ready", slug: nextSlug, initial: { title, description, body, tagList }, errors: [], submitting: false });
    } catch (error) {
      if (mine === generation) {
        state.set({ status: "error", slug: nextSlug, initial: blank, errors: errorMessages(error), submitting: false });
      }
    }
  }

  async function publish(fields: EditorFields): Promise<Article | null> {
    state.update((s) => ({ ...s, submitting: true, errors: [] }));
    try {
      const article = slug ? await updateArticle(slug, fields) : await createArticle(fields);
      state.update((s) => ({ ...s, submitting: false }));
      return article;
    } catch (error) {
      state.update((s) => ({ ...s, submitting: false, errors: errorMessages(error) }));
      return null;
    }
  }

  return { subscribe: state.subscribe, load, publish };
}
