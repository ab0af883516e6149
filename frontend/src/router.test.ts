import { describe, expect, it } from "vitest";
import { guardRoute, isRouterClick, parseRoute, paths, redirectTarget } from "./router";

describe("parseRoute", () => {
  it.each([
    ["/", "", { name: "home", feed: "global", tag: null, page: 1 }],
    ["/", "?feed=following", { name: "home", feed: "following", tag: null, page: 1 }],
    ["/", "?page=3", { name: "home", feed: "global", tag: null, page: 3 }],
    ["/", "?page=nope", { name: "home", feed: "global", tag: null, page: 1 }],
    ["/tag/dragons", "", { name: "home", feed: "global", tag: "dragons", page: 1 }],
    ["/tag/c%2B%2B", "?page=2", { name: "home", feed: "global", tag: "c++", page: 2 }],
    ["/login", "", { name: "login" }],
    ["/register", "", { name: "register" }],
    ["/settings", "", { name: "settings" }],
    ["/settings/", "", { name: "settings" }],
    ["/editor", "", { name: "editor", slug: null }],
    ["/editor/my-article", "", { name: "editor", slug: "my-article" }],
    ["/article/my-article", "", { name: "article", slug: "my-article" }],
    ["/profile/jake", "", { name: "profile", username: "jake", tab: "articles", page: 1 }],
    ["/profile/jake/favorites", "?page=2", { name: "profile", username: "jake", tab: "favorites", page: 2 }],
    ["/profile/j%C3%A4ke", "", { name: "profile", username: "jäke", tab: "articles", page: 1 }],
  ])("%s%s", (pathname, search, route) => {
    expect(parseRoute(pathname, search)).toEqual(route);
  });

  it.each(["/nope", "/article", "/article/a/b", "/profile/jake/other", "/tag/", "/article/%E0%A4%A", "/login/x"])(
    "%s is not found",
    (pathname) => expect(parseRoute(pathname)).toEqual({ name: "not-found" }),
  );
});

describe("paths", () => {
  it("round-trips through parseRoute", () => {
    const url = new URL(paths.tag("c# & f#", 2), "http://x");
    expect(parseRoute(url.pathname, url.search)).toEqual({ name: "home", feed: "global", tag: "c# & f#", page: 2 });
    expect(paths.home()).toBe("/");
    expect(paths.home(2)).toBe("/?page=2");
    expect(paths.feed()).toBe("/?feed=following");
    expect(paths.feed(3)).toBe("/?feed=following&page=3");
    expect(paths.favorites("jake")).toBe("/profile/jake/favorites");
  });
});

describe("guardRoute", () => {
  const settings = parseRoute("/settings");
  const feed = parseRoute("/", "?feed=following");
  const login = parseRoute("/login");

  it("sends visitors to sign in for pages that need a user", () => {
    expect(guardRoute(settings, "anonymous")).toEqual({ kind: "redirect", to: "/login" });
    expect(guardRoute(feed, "anonymous")).toEqual({ kind: "redirect", to: "/login" });
    expect(guardRoute(parseRoute("/notifications"), "anonymous")).toEqual({ kind: "redirect", to: "/login" });
    expect(guardRoute(settings, "unknown")).toEqual({ kind: "wait" });
    expect(guardRoute(settings, "checking")).toEqual({ kind: "wait" });
    expect(guardRoute(settings, "authenticated")).toEqual({ kind: "render" });
  });

  it("shows 'Connecting...' for a kept token the API could not check, the page for a known user", () => {
    expect(guardRoute(settings, "unreachable")).toEqual({ kind: "connecting" });
    expect(guardRoute(settings, "unreachable", true)).toEqual({ kind: "render" });
    expect(guardRoute(parseRoute("/"), "unreachable")).toEqual({ kind: "render" });
  });

  it("only follows redirects to our own pages", () => {
    expect(redirectTarget("?redirect=%2Farticle%2Fx")).toBe("/article/x");
    expect(redirectTarget("?redirect=//evil.example")).toBeNull();
    expect(redirectTarget("?redirect=https://evil.example")).toBeNull();
    expect(redirectTarget("")).toBeNull();
    expect(paths.login("/article/x")).toBe("/login?redirect=%2Farticle%2Fx");
  });

  it("sends signed-in users away from sign in / sign up", () => {
    expect(guardRoute(login, "authenticated")).toEqual({ kind: "redirect", to: "/" });
    expect(guardRoute(login, "anonymous")).toEqual({ kind: "render" });
  });
});

describe("isRouterClick", () => {
  const origin = "http://app.test";
  const anchor = (href: string, attrs: Record<string, string> = {}) =>
    ({
      href: new URL(href, origin).href,
      target: attrs.target ?? "",
      getAttribute: (name: string) => (name === "href" ? href : (attrs[name] ?? null)),
      hasAttribute: (name: string) => name in attrs,
    }) as unknown as HTMLAnchorElement;
  const click = (init: Partial<MouseEvent> = {}) =>
    ({ defaultPrevented: false, button: 0, metaKey: false, ctrlKey: false, shiftKey: false, altKey: false, ...init }) as MouseEvent;

  it("handles plain clicks on same-origin links", () => {
    expect(isRouterClick(click(), anchor("/article/x"), origin)).toBe(true);
  });

  it("leaves modified clicks, new tabs, downloads, fragments and other origins to the browser", () => {
    expect(isRouterClick(click({ ctrlKey: true }), anchor("/a"), origin)).toBe(false);
    expect(isRouterClick(click({ button: 1 }), anchor("/a"), origin)).toBe(false);
    expect(isRouterClick(click(), anchor("/a", { target: "_blank" }), origin)).toBe(false);
    expect(isRouterClick(click(), anchor("/a", { download: "" }), origin)).toBe(false);
    expect(isRouterClick(click(), anchor("#main"), origin)).toBe(false);
    expect(isRouterClick(click(), anchor("https://elsewhere.test/"), origin)).toBe(false);
  });
});
