/**
 * Notifications: the bell's unread count, polled while someone is signed in, and the notifications
 * page (cursor pages, mark one or all read).
 *
 * Polling: every POLL_MS while the tab is visible. While it is hidden the interval doubles after each
 * poll (up to HIDDEN_MAX_MS), and a failed poll doubles it too (up to FAILED_MAX_MS); showing the tab
 * again polls at once and starts over. Each poll is a conditional request (ETag, 304 while unchanged).
 */
import { writable, type Readable } from "svelte/store";
import { errorMessages, type Notification } from "src/api/client";
import * as notificationsApi from "src/api/notifications";
import { NOTIFICATIONS_POLL_MS } from "src/config";

const HIDDEN_MAX_MS = 15 * 60_000;
const FAILED_MAX_MS = 5 * 60_000;

const count = writable<number | null>(null);
/** Unread notifications of the signed-in user; null when unknown (signed out, not polled yet). */
export const unreadCount: Readable<number | null> = { subscribe: count.subscribe };

let polling = false;
let timer: ReturnType<typeof setTimeout> | null = null;
let delay = NOTIFICATIONS_POLL_MS;
let generation = 0;

function hidden(): boolean {
  return typeof document !== "undefined" && document.visibilityState === "hidden";
}

function schedule(ms: number): void {
  if (timer !== null) clearTimeout(timer);
  timer = setTimeout(() => void poll(), ms);
}

/** The wait before the next poll (ms). */
export function nextPollDelay(): number {
  return delay;
}

/** Asks for the count now, then schedules the next poll. */
export async function poll(): Promise<void> {
  if (!polling) return;
  const mine = generation;
  if (timer !== null) clearTimeout(timer);
  timer = null;
  let failed = false;
  try {
    const unread = await notificationsApi.unreadCount();
    if (mine === generation) count.set(unread);
  } catch {
    failed = true;
  }
  if (mine !== generation) return;
  if (failed) delay = Math.min(FAILED_MAX_MS, Math.max(delay, NOTIFICATIONS_POLL_MS) * 2);
  else if (hidden()) delay = Math.min(HIDDEN_MAX_MS, delay * 2);
  else delay = NOTIFICATIONS_POLL_MS;
  schedule(delay);
}

function onVisibility(): void {
  if (!hidden()) {
    delay = NOTIFICATIONS_POLL_MS;
    void poll();
  }
}

/** Starts polling for the signed-in user (idempotent). */
export function startPolling(): void {
  if (polling) return;
  polling = true;
  generation++;
  delay = NOTIFICATIONS_POLL_MS;
  globalThis.document?.addEventListener("visibilitychange", onVisibility);
  void poll();
}

/** Stops polling and forgets the count (signed out). */
export function stopPolling(): void {
  if (!polling) return;
  polling = false;
  generation++;
  if (timer !== null) clearTimeout(timer);
  timer = null;
  globalThis.document?.removeEventListener("visibilitychange", onVisibility);
  count.set(null);
}

// ---------------------------------------------------------------------------------------------
// The notifications page
// ---------------------------------------------------------------------------------------------
export interface NotificationsPageState {
  status: "loading" | "ready" | "error";
  items: Notification[];
  nextCursor: string | null;
  loadingMore: boolean;
  /** Why the first page could not be loaded. */
  errors: string[];
  /** Why loading more or marking read failed. */
  actionErrors: string[];
  /** Ids being marked read. */
  marking: number[];
  markingAll: boolean;
}

export interface NotificationsPageStore extends Readable<NotificationsPageState> {
  load(): Promise<void>;
  loadMore(): Promise<void>;
  markRead(id: number): Promise<void>;
  markAllRead(): Promise<void>;
}

const initialPage: NotificationsPageState = {
  status: "loading",
  items: [],
  nextCursor: null,
  loadingMore: false,
  errors: [],
  actionErrors: [],
  marking: [],
  markingAll: false,
};

export function createNotificationsPage(pageSize = 20): NotificationsPageStore {
  const state = writable<NotificationsPageState>(initialPage);
  let current = initialPage;
  state.subscribe((value) => (current = value));
  const set = (change: Partial<NotificationsPageState>) => state.update((s) => ({ ...s, ...change }));

  async function load(): Promise<void> {
    state.set(initialPage);
    try {
      const page = await notificationsApi.listNotifications(null, pageSize);
      set({ status: "ready", items: page.notifications, nextCursor: page.nextCursor });
    } catch (error) {
      set({ status: "error", errors: errorMessages(error) });
    }
  }

  async function loadMore(): Promise<void> {
    if (!current.nextCursor || current.loadingMore) return;
    set({ loadingMore: true, actionErrors: [] });
    try {
      const page = await notificationsApi.listNotifications(current.nextCursor, pageSize);
      state.update((s) => {
        const seen = new Set(s.items.map((n) => n.id));
        const items = [...s.items, ...page.notifications.filter((n) => !seen.has(n.id))];
        return { ...s, items, nextCursor: page.nextCursor, loadingMore: false };
      });
    } catch (error) {
      set({ loadingMore: false, actionErrors: errorMessages(error) });
    }
  }

  async function markRead(id: number): Promise<void> {
    if (current.marking.includes(id)) return;
    set({ marking: [...current.marking, id], actionErrors: [] });
    try {
      const fresh = await notificationsApi.markRead(id);
      state.update((s) => ({
        ...s,
        items: s.items.map((n) => (n.id === id ? fresh : n)),
        marking: s.marking.filter((m) => m !== id),
      }));
      count.update((c) => (c === null ? c : Math.max(0, c - 1)));
      void poll();
    } catch (error) {
      state.update((s) => ({ ...s, marking: s.marking.filter((m) => m !== id), actionErrors: errorMessages(error) }));
    }
  }

  async function markAllRead(): Promise<void> {
    if (current.markingAll) return;
    set({ markingAll: true, actionErrors: [] });
    try {
      const unread = await notificationsApi.markAllRead();
      const now = new Date().toISOString();
      state.update((s) => ({ ...s, markingAll: false, items: s.items.map((n) => ({ ...n, readAt: n.readAt ?? now })) }));
      count.set(unread);
    } catch (error) {
      set({ markingAll: false, actionErrors: errorMessages(error) });
    }
  }

  return { subscribe: state.subscribe, load, loadMore, markRead, markAllRead };
}
