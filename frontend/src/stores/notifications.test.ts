import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { get } from "svelte/store";
import { makeNotification } from "src/test/fixtures";
import { api, apiError, http, HttpResponse, server } from "src/test/server";

// The poller is a module singleton: each test gets fresh modules.
beforeEach(() => {
  vi.resetModules();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("the bell's poller", () => {
  it("polls the unread count, backs off while failing, and starts over once it answers", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let fail = true;
    let calls = 0;
    server.use(
      http.get(api("/notifications/unread-count"), () => {
        calls++;
        return fail ? apiError(503, { server: ["down"] }) : HttpResponse.json({ unreadCount: 4 });
      }),
    );
    const { startPolling, stopPolling, unreadCount, nextPollDelay } = await import("./notifications");
    const { NOTIFICATIONS_POLL_MS } = await import("src/config");
    startPolling();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    expect(nextPollDelay()).toBe(NOTIFICATIONS_POLL_MS * 2);
    await vi.advanceTimersByTimeAsync(NOTIFICATIONS_POLL_MS * 2);
    expect(calls).toBe(2);
    expect(nextPollDelay()).toBe(NOTIFICATIONS_POLL_MS * 4);
    fail = false;
    await vi.advanceTimersByTimeAsync(NOTIFICATIONS_POLL_MS * 4);
    expect(get(unreadCount)).toBe(4);
    expect(nextPollDelay()).toBe(NOTIFICATIONS_POLL_MS);
    stopPolling();
    expect(get(unreadCount)).toBeNull();
    await vi.advanceTimersByTimeAsync(NOTIFICATIONS_POLL_MS * 10);
    expect(calls).toBe(3);
  });

  it("revalidates the count with the browser's cache (a conditional request)", async () => {
    let mode: RequestCache | null = null;
    server.use(
      http.get(api("/notifications/unread-count"), ({ request }) => {
        mode = request.cache;
        return HttpResponse.json({ unreadCount: 0 });
      }),
    );
    const { unreadCount } = await import("src/api/notifications");
    await unreadCount();
    expect(mode).toBe("no-cache");
  });
});

describe("the notifications page", () => {
  it("pages with the cursor, marks one and all read", async () => {
    const cursors: (string | null)[] = [];
    server.use(
      http.get(api("/notifications"), ({ request }) => {
        const cursor = new URL(request.url).searchParams.get("cursor");
        cursors.push(cursor);
        return cursor
          ? HttpResponse.json({ notifications: [makeNotification({ id: 1 })], nextCursor: null })
          : HttpResponse.json({ notifications: [makeNotification({ id: 3 }), makeNotification({ id: 2 })], nextCursor: "c2" });
      }),
      http.post(api("/notifications/:id/read"), ({ params }) =>
        HttpResponse.json({ notification: makeNotification({ id: Number(params.id), readAt: "2026-01-23T10:00:00.000Z" }) }),
      ),
      http.post(api("/notifications/read"), () => HttpResponse.json({ unreadCount: 0 })),
    );
    const { createNotificationsPage } = await import("./notifications");
    const page = createNotificationsPage(2);
    await page.load();
    expect(get(page).items.map((n) => n.id)).toEqual([3, 2]);
    await page.loadMore();
    expect(cursors).toEqual([null, "c2"]);
    expect(get(page)).toMatchObject({ nextCursor: null, loadingMore: false });
    expect(get(page).items.map((n) => n.id)).toEqual([3, 2, 1]);
    await page.markRead(2);
    expect(get(page).items.find((n) => n.id === 2)?.readAt).not.toBeNull();
    expect(get(page).items.filter((n) => n.readAt === null)).toHaveLength(2);
    await page.markAllRead();
    expect(get(page).items.every((n) => n.readAt !== null)).toBe(true);
  });

  it("keeps the list and says why when marking read fails", async () => {
    server.use(
      http.get(api("/notifications"), () => HttpResponse.json({ notifications: [makeNotification()], nextCursor: null })),
      http.post(api("/notifications/read"), () => HttpResponse.error()),
    );
    const { createNotificationsPage } = await import("./notifications");
    const page = createNotificationsPage();
    await page.load();
    await page.markAllRead();
    expect(get(page).items[0]?.readAt).toBeNull();
    expect(get(page).actionErrors[0]).toMatch(/^Unable to connect/);
  });
});
