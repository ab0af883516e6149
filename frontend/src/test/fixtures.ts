/** Test data shaped by the generated API types. */
import type { components } from "src/api/schema";

type Schemas = components["schemas"];

export function makeUser(overrides: Partial<Schemas["User"]> = {}): Schemas["User"] {
  return { email: "jake@example.com", token: "token-jake", username: "jake", bio: null, image: null, ...overrides };
}

export function makeProfile(overrides: Partial<Schemas["Profile"]> = {}): Schemas["Profile"] {
  return { username: "jake", bio: null, image: null, following: false, ...overrides };
}

export function makeArticle(overrides: Partial<Schemas["Article"]> = {}): Schemas["Article"] {
  return {
    slug: "how-to-train-your-dragon",
    title: "How to train your dragon",
    description: "Ever wonder how?",
    body: "It takes a **Jacobian**",
    tagList: ["dragons", "training"],
    createdAt: "2026-01-20T10:00:00.000Z",
    updatedAt: "2026-01-20T10:00:00.000Z",
    favorited: false,
    favoritesCount: 0,
    author: makeProfile(),
    ...overrides,
  };
}

export function makeListItem(overrides: Partial<Schemas["ArticleListItem"]> = {}): Schemas["ArticleListItem"] {
  const { body: _body, ...item } = makeArticle();
  return { ...item, ...overrides };
}

export function makeComment(overrides: Partial<Schemas["Comment"]> = {}): Schemas["Comment"] {
  return {
    id: 1,
    body: "Nice one",
    createdAt: "2026-01-21T10:00:00.000Z",
    updatedAt: "2026-01-21T10:00:00.000Z",
    author: makeProfile({ username: "amy" }),
    ...overrides,
  };
}

export function makeNotification(overrides: Partial<Schemas["Notification"]> = {}): Schemas["Notification"] {
  return {
    id: 1,
    kind: "article_commented",
    createdAt: "2026-01-22T10:00:00.000Z",
    readAt: null,
    actor: { username: "amy", image: null },
    article: { slug: "how-to-train-your-dragon", title: "How to train your dragon" },
    comment: { id: 1, body: "Nice one" },
    ...overrides,
  };
}
