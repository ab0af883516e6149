/**
 * History-API router: URLs to typed routes and back, a `route` store, `navigate()`, and link
 * interception so plain `<a href="/…">` links never reload the page.
 */
import { writable, type Readable } from "svelte/store";
import { parsePage } from "src/utils/pagination";

/** The session's states (src/stores/session.ts owns the machine; the router only reads them). */
export type SessionStatus = "unknown" | "checking" | "authenticated" | "anonymous" | "unreachable";

export type Route =
  | { name: "home"; feed: "global" | "following"; tag: string | null; page: number }
  | { name: "login" }
  | { name: "register" }
  | { name: "settings" }
  | { name: "notifications" }
  | { name: "editor"; slug: string | null }
  | { name: "article"; slug: string }
  | { name: "profile"; username: string; tab: "articles" | "favorites"; page: number }
  | { name: "not-found" };

export type RouteName = Route["name"];

/** Routes that need a signed-in user, and those only a signed-out visitor needs. */
export const AUTH_ONLY: ReadonlySet<RouteName> = new Set(["settings", "editor", "notifications"]);
export const GUEST_ONLY: ReadonlySet<RouteName> = new Set(["login", "register"]);

function segment(raw: string): string | null {
  try {
    return decodeURIComponent(raw) || null;
  } catch {
    return null;
  }
}

/** Parses a location (path and query) into a route. */
export function parseRoute(pathname: string, search = ""): Route {
  const params = new URLSearchParams(search);
  const page = parsePage(params.get("page"));
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  const parts = path.split("/").slice(1);

  if (path === "/" || path === "") {
    return { name: "home", feed: params.get("feed") === "following" ? "following" : "global", tag: null, page };
  }
  const [first, second, third, ...rest] = parts;
  if (rest.length > 0) return { name: "not-found" };
  switch (first) {
    case "login":
    case "register":
    case "settings":
    case "notifications":
      return parts.length === 1 ? { name: first } : { name: "not-found" };
    case "editor":
      if (parts.length === 1) return { name: "editor", slug: null };
      if (parts.length === 2 && second && segment(second)) return { name: "editor", slug: segment(second) };
      return { name: "not-found" };
    case "tag": {
      const tag = parts.length === 2 && second ? segment(second) : null;
      return tag ? { name: "home", feed: "global", tag, page } : { name: "not-found" };
    }
    case "article": {
      const slug = parts.length === 2 && second ? segment(second) : null;
      return slug ? { name: "article", slug } : { name: "not-found" };
    }
    case "profile": {
      const username = second ? segment(second) : null;
      if (!username) return { name: "not-found" };
      if (parts.length === 2) return { name: "profile", username, tab: "articles", page };
      if (parts.length === 3 && third === "favorites") return { name: "profile", username, tab: "favorites", page };
      return { name: "not-found" };
    }
    default:
      return { name: "not-found" };
  }
}

/**
 * What to do with a route given the session: show it, wait for the session's first check, show
 * "Connecting..." (a stored token the API could not check yet), or go elsewhere.
 */
export type Guard =
  | { kind: "render" }
  | { kind: "wait" }
  | { kind: "connecting" }
  | { kind: "redirect"; to: string };

export function guardRoute(route: Route, auth: SessionStatus, hasUser = auth === "authenticated"): Guard {
  const needsUser = AUTH_ONLY.has(route.name) || (route.name === "home" && route.feed === "following");
  if (needsUser) {
    if (auth === "authenticated" || hasUser) return { kind: "render" };
    if (auth === "unknown" || auth === "checking") return { kind: "wait" };
    if (auth === "unreachable") return { kind: "connecting" };
    return { kind: "redirect", to: paths.login() };
  }
  if (GUEST_ONLY.has(route.name) && auth === "authenticated") return { kind: "redirect", to: paths.home() };
  return { kind: "render" };
}

/** The in-app page a sign-in link asks to come back to (`?redirect=/article/x`), if it is one of ours. */
export function redirectTarget(search: string): string | null {
  const target = new URLSearchParams(search).get("redirect");
  return target && target.startsWith("/") && !target.startsWith("//") ? target : null;
}

function withPage(path: string, page: number, extra?: Record<string, string>): string {
  const params = new URLSearchParams(extra);
  if (page > 1) params.set("page", String(page));
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

/** URL builders: the only place that spells the app's paths. */
export const paths = {
  home: (page = 1) => withPage("/", page),
  feed: (page = 1) => withPage("/", page, { feed: "following" }),
  tag: (tag: string, page = 1) => withPage(`/tag/${encodeURIComponent(tag)}`, page),
  login: (redirect?: string) => (redirect ? `/login?redirect=${encodeURIComponent(redirect)}` : "/login"),
  register: (redirect?: string) => (redirect ? `/register?redirect=${encodeURIComponent(redirect)}` : "/register"),
  notifications: () => "/notifications",
  settings: () => "/settings",
  editor: (slug?: string) => (slug ? `/editor/${encodeURIComponent(slug)}` : "/editor"),
  article: (slug: string) => `/article/${encodeURIComponent(slug)}`,
  profile: (username: string, page = 1) => withPage(`/profile/${encodeURIComponent(username)}`, page),
  favorites: (username: string, page = 1) => withPage(`/profile/${encodeURIComponent(username)}/favorites`, page),
};

/** The document title for a route (pages with a loaded subject refine it). */
export function routeTitle(route: Route): string {
  switch (route.name) {
    case "home":
      return route.tag ? `#${route.tag} — Conduit` : "Home — Conduit";
    case "login":
      return "Sign in — Conduit";
    case "register":
      return "Sign up — Conduit";
    case "settings":
      return "Settings — Conduit";
    case "notifications":
      return "Notifications — Conduit";
    case "editor":
      return route.slug ? "Edit article — Conduit" : "New article — Conduit";
    case "article":
      return "Article — Conduit";
    case "profile":
      return `${route.username} — Conduit`;
    case "not-found":
      return "Page not found — Conduit";
  }
}

// ---------------------------------------------------------------------------------------------
// The live router (browser only)
// ---------------------------------------------------------------------------------------------
export interface Location {
  route: Route;
  /** Path and query, e.g. "/tag/dragons?page=2". */
  url: string;
  /** How we got here: the first load, a link/navigate() call, or back/forward. */
  cause: "load" | "push" | "pop";
}

const current = writable<Location>({ route: { name: "home", feed: "global", tag: null, page: 1 }, url: "/", cause: "load" });
export const location: Readable<Location> = { subscribe: current.subscribe };

function read(cause: Location["cause"]): void {
  const { pathname, search } = window.location;
  current.set({ route: parseRoute(pathname, search), url: pathname + search, cause });
}

/** Goes to an in-app URL. `replace` swaps the history entry (redirects). */
export function navigate(url: string, { replace = false }: { replace?: boolean } = {}): void {
  const target = new URL(url, window.location.href);
  if (target.origin !== window.location.origin) {
    window.location.assign(target.href);
    return;
  }
  const next = target.pathname + target.search + target.hash;
  if (replace) window.history.replaceState(null, "", next);
  else if (next !== window.location.pathname + window.location.search + window.location.hash) {
    window.history.pushState(null, "", next);
  }
  read("push");
}

/** Whether a click on a link should be handled by the router rather than the browser. */
export function isRouterClick(event: MouseEvent, anchor: HTMLAnchorElement, origin: string): boolean {
  if (event.defaultPrevented || event.button !== 0) return false;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return false;
  if (anchor.target && anchor.target !== "_self") return false;
  if (anchor.hasAttribute("download") || anchor.getAttribute("rel")?.includes("external")) return false;
  const href = anchor.getAttribute("href");
  if (!href || href.startsWith("#")) return false;
  return new URL(anchor.href, origin).origin === origin;
}

/** Starts listening to back/forward and to link clicks. Returns the stop function. */
export function startRouter(): () => void {
  const onPop = () => read("pop");
  const onClick = (event: MouseEvent) => {
    const anchor = (event.target as Element | null)?.closest?.("a");
    if (!anchor || !isRouterClick(event, anchor, window.location.origin)) return;
    event.preventDefault();
    navigate(anchor.href);
  };
  window.addEventListener("popstate", onPop);
  document.addEventListener("click", onClick);
  read("load");
  return () => {
    window.removeEventListener("popstate", onPop);
    document.removeEventListener("click", onClick);
  };
}
