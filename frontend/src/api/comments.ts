/** Comments on an article. */
import { client, request } from "./client";
import { idempotencyKey, idempotencyKeyUsed } from "./idempotency";
import type { Comment } from "./client";

export async function listComments(slug: string): Promise<Comment[]> {
  const data = await request(() => client.GET("/articles/{slug}/comments", { params: { path: { slug } } }));
  return data.comments;
}

export async function addComment(slug: string, body: string): Promise<Comment> {
  const operation = `comments_create:${slug}`;
  const payload = { comment: { body } };
  const header = { "Idempotency-Key": idempotencyKey(operation, payload) };
  const data = await request(() =>
    client.POST("/articles/{slug}/comments", { params: { path: { slug }, header }, body: payload }),
  );
  idempotencyKeyUsed(operation);
  return data.comment;
}

export async function deleteComment(slug: string, id: number): Promise<void> {
  await request(() =>
    client.DELETE("/articles/{slug}/comments/{comment_id}", {
      params: { path: { slug, comment_id: String(id) } },
    }),
  );
}
