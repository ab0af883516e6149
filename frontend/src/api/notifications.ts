/** The signed-in user's notifications: the unread count (polled by the bell), pages, marking read. */
import { client, request } from "./client";
import type { Notification } from "./client";

export interface NotificationPage {
  notifications: Notification[];
  nextCursor: string | null;
}

/**
 * The unread count. `cache: "no-cache"` lets the browser revalidate its copy with the ETag
 * (`If-None-Match`): while nothing changed the API answers 304 without a body.
 */
export async function unreadCount(): Promise<number> {
  const data = await request(() => client.GET("/notifications/unread-count", { cache: "no-cache" }));
  return data.unreadCount;
}

export function listNotifications(cursor: string | null, limit = 20): Promise<NotificationPage> {
  const query = cursor ? { cursor, limit } : { limit };
  return request(() => client.GET("/notifications", { params: { query } }));
}

export async function markRead(id: number): Promise<Notification> {
  const path = { notification_id: String(id) };
  const data = await request(() => client.POST("/notifications/{notification_id}/read", { params: { path } }));
  return data.notification;
}

/** Marks every notification read; returns the unread count left (0). */
export async function markAllRead(): Promise<number> {
  const data = await request(() => client.POST("/notifications/read"));
  return data.unreadCount;
}
