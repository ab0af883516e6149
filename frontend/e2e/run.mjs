#!/usr/bin/env node
/**
 * End-to-end suite (`npm run e2e`): the real API on a fresh database, the built SPA behind the
 * static server, headless Chromium. Two users, alice (author) and bob (reader), walk through
 * sign up, sign in, settings, publishing, tags, editing, comments, favorites, follows, the feed,
 * logging out and signing out on every device; one test proves that script payloads in an article
 * never run.
 *
 * Exits non-zero when a test fails; stops every server it started. Screenshots: e2e/screenshots/.
 * Env: E2E_API_PORT / E2E_SPA_PORT (default: free ports), E2E_PYTHON, CHROMIUM_PATH.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { securityHeaders } from "../scripts/serve.mjs";
import { copyFileSync, mkdirSync } from "node:fs";
import { assertNotBlank, axeViolations, breakApi, tabThrough } from "./checks.mjs";
import { runLighthouse } from "./lighthouse.mjs";
import {
  buildSpa,
  DEMO_PASSWORD,
  E2E_REQUEST_TIMEOUT_MS,
  FRONTEND_DIR,
  REPO_DIR,
  freePort,
  launchBrowser,
  prepareScreenshotDir,
  SCREENSHOT_DIR,
  startBackend,
  startSpa,
} from "./support.mjs";

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 740 };
const run = Date.now().toString(36);
const alice = { username: `alice${run}`, email: `alice${run}@example.com`, password: "correct-horse-1" };
const bob = { username: `bob${run}`, email: `bob${run}@example.com`, password: "battery-staple-2" };
const article = {
  title: `Training dragons ${run}`,
  description: "A field guide",
  body: "## Step one\n\nBe **patient** with your dragon.\n\n- feed it\n- walk it",
  tags: ["dragons", `guide${run}`],
};

/** @type {Awaited<ReturnType<typeof startBackend>> | undefined} */ let backend;
/** @type {Awaited<ReturnType<typeof startSpa>> | undefined} */ let spa;
/** @type {import("playwright-core").Browser | undefined} */ let browser;
/** @type {import("playwright-core").BrowserContext} */ let aliceContext;
/** @type {import("playwright-core").BrowserContext} */ let bobContext;
/** @type {import("playwright-core").Page} */ let alicePage;
/** @type {import("playwright-core").Page} */ let bobPage;
let slug = "";
/** Problems seen by any page: uncaught errors, CSP violations, requests to other origins. */
const problems = /** @type {string[]} */ ([]);
let apiOrigin = "";

async function stopAll() {
  await browser?.close().catch(() => {});
  await spa?.stop().catch(() => {});
  await backend?.stop().catch(() => {});
  browser = spa = backend = undefined;
}

for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) {
  process.once(signal, () => void stopAll().finally(() => process.exit(130)));
}

/**
 * A page that records problems and shares the suite's timeouts. `cspReports`, when given, collects
 * the page's CSP reports instead of counting them as problems: Chromium reports an inline handler
 * as soon as DOMPurify parses it in its inert DOMParser document, where it can never run.
 */
/**
 * @param {import("playwright-core").BrowserContext} context
 * @param {{ width: number, height: number }} [viewport]
 * @param {string[]} [cspReports]
 */
async function newPage(context, viewport = DESKTOP, cspReports = undefined) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  /** @param {string} report */
  const cspProblem = (report) => {
    if (cspReports) cspReports.push(report);
    else problems.push(`CSP on ${page.url()}: ${report.slice(0, 160)}`);
  };
  page.on("console", (message) => {
    if (/Content.Security.Policy/i.test(message.text())) cspProblem(message.text());
  });
  // The browser's own violation events too (a blocked load may log nothing to the console).
  await page.exposeFunction("__conduitCspViolation", cspProblem);
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`;
      /** @type {any} */ (window).__conduitCspViolation(`securitypolicyviolation: ${report}`);
    });
  });
  page.on("request", (request) => {
    const origin = new URL(request.url()).origin;
    if (origin !== spa?.origin && origin !== apiOrigin && !request.url().startsWith("data:")) {
      problems.push(`request to a foreign origin: ${request.url()}`);
    }
  });
  return page;
}

/** @typedef {{ username: string, email: string, password: string }} TestUser */
/** @typedef {import("playwright-core").Page} Page */

/** @param {string} path */
const url = (path) => `${spa?.origin}${path}`;
/** @param {Page} page @param {string} name */
const shot = (page, name) => page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: false });
/** @param {Page} page */
const authState = (page) => page.evaluate(() => window.__conduit_debug__?.getAuthState());
/** @param {Page} page */
const storedToken = (page) => page.evaluate(() => localStorage.getItem("jwtToken"));
/** Waits until no loading placeholder is left in the page's main area. @param {Page} page */
const settled = (page) =>
  page.waitForFunction(() => document.querySelector("main") && !document.querySelector("main .status-message"), undefined, {
    timeout: E2E_REQUEST_TIMEOUT_MS * 3,
  });

/**
 * Calls the API from Node (setting up data the browser tests read). Fails on a non-2xx answer.
 * @param {string} path
 * @param {{ method?: string, token?: string, body?: unknown }} [options]
 * @returns {Promise<any>}
 */
async function callApi(path, { method = "GET", token, body } = {}) {
  const headers = { "content-type": "application/json", ...(token ? { authorization: `Token ${token}` } : {}) };
  const response = await fetch(`${backend?.apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = response.status === 204 ? null : await response.json();
  assert.ok(response.ok, `${method} ${path}: HTTP ${response.status} ${JSON.stringify(data)}`);
  return data;
}

/** Registers `name` + the run's suffix through the API. @param {string} name */
async function apiUser(name) {
  const user = { username: `${name}${run}`, email: `${name}${run}@example.com`, password: `${name}-password-1` };
  const data = await callApi("/users", { method: "POST", body: { user } });
  return { ...user, token: /** @type {string} */ (data.user.token) };
}

/** A browser context whose localStorage already holds `token` under jwtToken. @param {string} token */
function contextWithToken(token) {
  assert.ok(browser && spa);
  const origins = [{ origin: spa.origin, localStorage: [{ name: "jwtToken", value: token }] }];
  return browser.newContext({ storageState: { cookies: [], origins } });
}

/** The API's base URL and the SPA's origin, for breakApi(). */
const endpoints = () => ({ apiUrl: backend?.apiUrl ?? "", spaOrigin: spa?.origin ?? "" });
/** A path of the API's URL ("/user"), as seen in intercepted requests. @param {string} path */
const apiPath = (path) => new URL(`${backend?.apiUrl}${path}`).pathname;

/** @param {Page} page @param {TestUser} user */
async function expectSignedInAs(page, user) {
  await page.locator(`.navbar a.nav-link:has-text("${user.username}")`).waitFor();
  assert.equal(await authState(page), "authenticated");
  const token = await page.evaluate(() => localStorage.getItem("jwtToken"));
  assert.ok(token && token.split(".").length === 3, "a JWT is stored under jwtToken");
}

/** @param {Page} page @param {TestUser} user */
async function register(page, user) {
  await page.goto(url("/register"));
  await page.fill('input[name="username"]', user.username);
  await page.fill('input[name="email"]', user.email);
  await page.fill('input[name="password"]', user.password);
  await page.click('button:has-text("Sign up")');
  await page.waitForURL(url("/"));
  await expectSignedInAs(page, user);
}

describe("Conduit SPA end to end", { concurrency: false }, () => {
  before(async () => {
    prepareScreenshotDir();
    const apiPort = await freePort("E2E_API_PORT");
    const spaPort = await freePort("E2E_SPA_PORT");
    const spaOrigin = `http://127.0.0.1:${spaPort}`;
    const outDir = join(FRONTEND_DIR, "e2e", ".dist");
    backend = await startBackend({ port: apiPort, spaOrigin, logFile: join(SCREENSHOT_DIR, "backend.log") });
    apiOrigin = new URL(backend.apiUrl).origin;
    await buildSpa({ apiUrl: backend.apiUrl, outDir });
    spa = await startSpa({ root: outDir, port: spaPort, apiOrigin, csp: process.env.E2E_CSP !== "off" });
    browser = await launchBrowser();
    aliceContext = await browser.newContext();
    bobContext = await browser.newContext();
    alicePage = await newPage(aliceContext);
    bobPage = await newPage(bobContext);
    console.log(`# API ${backend.apiUrl}  SPA ${spa.origin}`);
  });

  after(async () => {
    await stopAll();
  });

  it("serves deep links and hashed assets with the right cache headers", async () => {
    const deep = await fetch(url("/article/anything?x=1"));
    assert.equal(deep.status, 200);
    assert.equal(deep.headers.get("cache-control"), "no-cache");
    const html = await deep.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, "index.html loads a hashed script");
    const js = await fetch(url(asset));
    assert.equal(js.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal((await fetch(url("/assets/missing.js"))).status, 404);
  });

  // First, before the suite's own users and articles show up on the home page.
  it("takes the README's screenshots from the demo data", async () => {
    assert.ok(browser);
    const demoSlug = (await callApi("/articles?author=johndoe&limit=20")).articles.find(
      (/** @type {any} */ a) => a.title === "How to train your dragon",
    ).slug;
    const readmeDir = join(SCREENSHOT_DIR, "readme");
    mkdirSync(readmeDir, { recursive: true });
    const guest = await browser.newContext();
    const johndoe = await browser.newContext();
    const signIn = await newPage(johndoe);
    await signIn.goto(url("/login"));
    await signIn.getByLabel("Email").fill("johndoe@example.com");
    await signIn.getByLabel("Password").fill(DEMO_PASSWORD);
    await signIn.keyboard.press("Enter");
    await signIn.waitForURL(url("/"));
    await signIn.close();
    /** @type {[import("playwright-core").BrowserContext, string, string, { width: number, height: number }][]} */
    const shots = [
      [guest, "/", "home", DESKTOP],
      [johndoe, `/article/${encodeURIComponent(demoSlug)}`, "article", DESKTOP],
      [johndoe, "/notifications", "notifications", DESKTOP],
      [guest, "/profile/johndoe", "profile", DESKTOP],
      [guest, "/", "phone-home", PHONE],
    ];
    for (const [context, path, name, viewport] of shots) {
      const page = await newPage(context, viewport);
      await page.goto(url(path));
      await settled(page);
      await page.locator("main h1, main .article-preview").first().waitFor();
      if (name === "article") await page.locator(".card:not(.comment-form)").first().scrollIntoViewIfNeeded();
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: join(readmeDir, `${name}.png`), fullPage: name === "article" });
      if (process.env.E2E_UPDATE_DOCS === "1") copyFileSync(join(readmeDir, `${name}.png`), join(REPO_DIR, "docs", "screenshots", `${name}.png`));
      await page.close();
    }
    await guest.close();
    await johndoe.close();
  });

  it("signs up, and shows the API's errors for a taken username", async () => {
    await alicePage.goto(url("/"));
    await alicePage.locator(".article-preview").first().waitFor();
    await shot(alicePage, "home-empty");
    await register(alicePage, alice);

    const page = await newPage(bobContext);
    await page.goto(url("/register"));
    await page.fill('input[name="username"]', alice.username);
    await page.fill('input[name="email"]', `other${run}@example.com`);
    await page.fill('input[name="password"]', "whatever-123");
    await page.click('button:has-text("Sign up")');
    await page.locator(".error-messages li").filter({ hasText: "username has already been taken" }).waitFor();
    assert.equal(await authState(page), "unauthenticated");
    await page.close();
  });

  it("signs in with the keyboard, keeps the session across reloads", async () => {
    assert.ok(browser);
    const context = await browser.newContext();
    const page = await newPage(context);
    await page.goto(url("/login"));
    assert.equal(await page.locator("h1").textContent(), "Sign in");
    await page.getByLabel("Email").fill(alice.email);
    await page.getByLabel("Password").fill("wrong-password");
    await page.keyboard.press("Enter");
    await page.locator(".error-messages li").first().waitFor();
    await shot(page, "login-error");

    await page.getByLabel("Password").fill(alice.password);
    await page.keyboard.press("Enter");
    await page.waitForURL(url("/"));
    await expectSignedInAs(page, alice);
    await page.reload();
    await expectSignedInAs(page, alice);
    await context.close();
  });

  it("edits the settings", async () => {
    await alicePage.goto(url("/settings"));
    const bio = alicePage.locator('textarea[name="bio"]');
    await bio.waitFor();
    assert.equal(await alicePage.inputValue('input[name="email"]'), alice.email);
    await bio.fill("I write about dragons.");
    await shot(alicePage, "settings");
    await alicePage.click('button:has-text("Update Settings")');
    await alicePage.waitForURL(url(`/profile/${alice.username}`));
    await alicePage.locator(".user-info p").filter({ hasText: "I write about dragons." }).waitFor();
    const avatar = await alicePage.locator(".user-info .user-img").getAttribute("src");
    assert.ok(avatar?.includes("default-avatar.svg"));
    await alicePage.goto(url("/settings"));
    assert.equal(await alicePage.inputValue('textarea[name="bio"]'), "I write about dragons.");
  });

  it("publishes an article with tags", async () => {
    await alicePage.goto(url("/editor"));
    await alicePage.fill('input[name="title"]', article.title);
    await alicePage.fill('input[name="description"]', article.description);
    await alicePage.fill('textarea[name="body"]', article.body);
    for (const tag of article.tags) {
      await alicePage.fill('input[placeholder="Enter tags"]', tag);
      await alicePage.press('input[placeholder="Enter tags"]', "Enter");
    }
    await alicePage.locator(".tag-list .tag-pill").nth(1).waitFor();
    await shot(alicePage, "editor");
    await alicePage.click('button:has-text("Publish Article")');
    await alicePage.waitForURL(/\/article\//);
    slug = decodeURIComponent(new URL(alicePage.url()).pathname.split("/")[2]);
    assert.equal(await alicePage.locator(".article-page h1").first().textContent(), article.title);
    assert.equal(await alicePage.locator(".article-content h2").textContent(), "Step one");
    assert.equal(await alicePage.locator(".article-content strong").textContent(), "patient");
    const tags = await alicePage.locator(".article-content .tag-list li").allTextContents();
    assert.deepEqual(tags.map((t) => t.trim()), article.tags);
  });

  it("shows the article on the home page and under its tag", async () => {
    await alicePage.click('.navbar a.nav-link:has-text("Home")');
    await alicePage.waitForURL(url("/"));
    const preview = alicePage.locator(".article-preview").filter({ hasText: article.title });
    await preview.waitFor();
    await alicePage.locator(".sidebar .tag-list a").filter({ hasText: article.tags[1] }).waitFor();
    await shot(alicePage, "home");
    await alicePage.locator(".sidebar .tag-list a").filter({ hasText: article.tags[1] }).click();
    await alicePage.waitForURL(url(`/tag/${article.tags[1]}`));
    await alicePage.locator(".feed-toggle .nav-link.active").filter({ hasText: article.tags[1] }).waitFor();
    await alicePage.locator(".article-preview").filter({ hasText: article.title }).waitFor();
    // A deep link survives a reload (history-API fallback).
    await alicePage.reload();
    await alicePage.locator(".article-preview").filter({ hasText: article.title }).waitFor();
    assert.equal(await alicePage.locator(".article-preview").count(), 1);
  });

  it("edits the article", async () => {
    await alicePage.goto(url(`/article/${encodeURIComponent(slug)}`));
    await alicePage.click('a:has-text("Edit Article")');
    await alicePage.waitForURL(url(`/editor/${encodeURIComponent(slug)}`));
    await alicePage.waitForFunction(
      (title) => /** @type {HTMLInputElement | null} */ (document.querySelector('input[name="title"]'))?.value === title,
      article.title,
    );
    await alicePage.fill('textarea[name="body"]', "## Step one, revised\n\nBe *very* patient.");
    await alicePage.click('button:has-text("Publish Article")');
    await alicePage.waitForURL(/\/article\//);
    await alicePage.locator(".article-content h2").filter({ hasText: "Step one, revised" }).waitFor();
    assert.equal(await alicePage.locator(".article-content em").textContent(), "very");
  });

  it("comments and deletes the comment", async () => {
    const comment = `Thanks for reading ${run}`;
    await alicePage.fill('textarea[placeholder="Write a comment..."]', comment);
    await alicePage.click('button:has-text("Post Comment")');
    const posted = alicePage.locator(".card:not(.comment-form) .card-block").filter({ hasText: comment });
    await posted.waitFor();
    assert.equal(await alicePage.inputValue('textarea[placeholder="Write a comment..."]'), "");
    await shot(alicePage, "article");
    await alicePage.locator(".card:not(.comment-form)").filter({ hasText: comment }).locator(".mod-options .ion-trash-a").click();
    await posted.waitFor({ state: "detached" });
    await alicePage.reload();
    await alicePage.locator(".comment-form").waitFor();
    assert.equal(await alicePage.locator(".card:not(.comment-form)").count(), 0);
  });

  it("favorites the article as a second user", async () => {
    await register(bobPage, bob);
    await bobPage.goto(url(`/article/${encodeURIComponent(slug)}`));
    const favorite = bobPage.locator(".article-actions button").filter({ hasText: "Favorite Article" });
    await favorite.waitFor();
    assert.match((await favorite.getAttribute("class")) ?? "", /btn-outline-primary/);
    await favorite.click();
    const unfavorite = bobPage.locator(".article-actions button").filter({ hasText: "Unfavorite Article" });
    await unfavorite.waitFor();
    assert.match((await unfavorite.getAttribute("class")) ?? "", /\bbtn-primary\b/);
    await bobPage.waitForResponse((r) => r.url().endsWith("/favorite") && r.ok()).catch(() => {});
    await bobPage.reload();
    await bobPage.locator(".article-actions button").filter({ hasText: "Unfavorite Article (1)" }).waitFor();
    await bobPage.goto(url(`/profile/${bob.username}/favorites`));
    await bobPage.locator(".article-preview").filter({ hasText: article.title }).waitFor();
    await bobPage.locator(".articles-toggle .nav-link.active").filter({ hasText: "Favorited" }).waitFor();
  });

  it("follows the author and sees the article in 'your feed'", async () => {
    await bobPage.goto(url("/?feed=following"));
    await bobPage.locator(".empty-feed-message").waitFor();
    await bobPage.goto(url(`/article/${encodeURIComponent(slug)}`));
    await bobPage.locator(".banner button").filter({ hasText: `Follow ${alice.username}` }).click();
    await bobPage.locator(".banner button").filter({ hasText: `Unfollow ${alice.username}` }).waitFor();
    await bobPage.waitForTimeout(300); // let the follow request settle before leaving
    await bobPage.goto(url(`/profile/${alice.username}`));
    await bobPage.locator(".user-info button").filter({ hasText: `Unfollow ${alice.username}` }).waitFor();
    await bobPage.locator(".article-preview").filter({ hasText: article.title }).waitFor();
    await shot(bobPage, "profile");
    await bobPage.click('.feed-toggle a:has-text("Your Feed")').catch(async () => {
      await bobPage.goto(url("/"));
      await bobPage.click('.feed-toggle a:has-text("Your Feed")');
    });
    await bobPage.waitForURL(url("/?feed=following"));
    await bobPage.locator(".feed-toggle .nav-link.active").filter({ hasText: "Your Feed" }).waitFor();
    await bobPage.locator(".article-preview").filter({ hasText: article.title }).waitFor();
  });

  it("works on a phone-sized screen", async () => {
    const page = await newPage(bobContext, PHONE);
    for (const [path, name] of [
      ["/", "phone-home"],
      [`/article/${encodeURIComponent(slug)}`, "phone-article"],
    ]) {
      await page.goto(url(path));
      await page.locator(".article-preview, .article-content").first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px on a phone`);
      await shot(page, name);
    }
    await page.close();
  });

  it("loads every page under the one served policy with zero CSP violations", async () => {
    const served = (await fetch(url("/"))).headers.get("content-security-policy") ?? "";
    assert.equal(served, securityHeaders({ apiOrigin })["Content-Security-Policy"], "deploy/spa-headers.conf's policy");
    assert.match(served, /script-src 'self';/);
    assert.doesNotMatch(served, /unsafe-inline|unsafe-eval/);
    assert.match(served, /connect-src 'self' http:\/\/127\.0\.0\.1:\d+;/, "API calls go to our origin and the API's only");
    const violations = /** @type {string[]} */ ([]);
    const page = await newPage(aliceContext, DESKTOP, violations);
    const pages = ["/", "/?feed=following", `/tag/${article.tags[0]}`, `/article/${encodeURIComponent(slug)}`];
    pages.push(`/profile/${alice.username}`, `/profile/${bob.username}/favorites`, "/settings", "/editor");
    pages.push(`/editor/${encodeURIComponent(slug)}`, "/login", "/register");
    for (const path of pages) {
      await page.goto(url(path));
      await page.waitForLoadState("networkidle");
    }
    assert.deepEqual(violations, []);
    await page.close();
  });

  it("logs out", async () => {
    await bobPage.goto(url("/settings"));
    await bobPage.click('button:has-text("Or click here to logout")');
    await bobPage.waitForURL(url("/"));
    await bobPage.locator('.navbar a.nav-link:has-text("Sign in")').waitFor();
    assert.equal(await bobPage.evaluate(() => localStorage.getItem("jwtToken")), null);
    assert.equal(await authState(bobPage), "unauthenticated");
    await bobPage.goto(url("/settings"));
    await bobPage.waitForURL(url("/login"));
  });

  it("drops a token that the API rejects", async () => {
    const page = await newPage(bobContext);
    await page.goto(url("/"));
    await page.evaluate(() => localStorage.setItem("jwtToken", "not-a-valid-token"));
    await page.reload();
    await page.locator('.navbar a.nav-link:has-text("Sign in")').waitFor();
    await page.locator(".article-preview").first().waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem("jwtToken")), null);
    await page.close();
  });

  it("never runs script payloads from an article", async () => {
    const payloads = [
      "# Harmless heading",
      "<script>window.__xss = (window.__xss || []).concat('script')</script>",
      '<img src="x" onerror="window.__xss = (window.__xss || []).concat(\'onerror\')">',
      '<svg onload="window.__xss = (window.__xss || []).concat(\'svg\')"></svg>',
      "<iframe srcdoc=\"<script>parent.__xss = ['iframe']</script>\"></iframe>",
      '<a id="js-link" href="javascript:window.__xss=[\'href\']">click me</a>',
      "[md link](javascript:alert(1))",
      '<details open ontoggle="alert(2)"><summary>x</summary></details>',
    ].join("\n\n");
    const cspReports = /** @type {string[]} */ ([]);
    const page = await newPage(aliceContext, DESKTOP, cspReports);
    const dialogs = /** @type {string[]} */ ([]);
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(url("/editor"));
    await page.fill('input[name="title"]', `<img src=x onerror="window.__xss=['title']"> XSS ${run}`);
    await page.fill('input[name="description"]', "<script>window.__xss=['description']</script>");
    await page.fill('textarea[name="body"]', payloads);
    await page.click('button:has-text("Publish Article")');
    await page.waitForURL(/\/article\//);
    await page.locator(".article-content h1").filter({ hasText: "Harmless heading" }).waitFor();
    await page.locator("#js-link, .article-content a").first().click().catch(() => {});
    await page.goto(url("/"));
    await page.locator(".article-preview").filter({ hasText: `XSS ${run}` }).waitFor();
    await page.goBack();
    await page.locator(".article-content h1").waitFor();
    await page.waitForTimeout(500);

    assert.equal(await page.evaluate(() => /** @type {any} */ (window).__xss ?? null), null, "no payload ran");
    assert.deepEqual(dialogs, [], "no dialog opened");
    const leftovers = await page.evaluate(() => {
      const root = document.querySelector(".article-content");
      const found = /** @type {string[]} */ ([]);
      for (const element of Array.from(root?.querySelectorAll("*") ?? [])) {
        if (/^(script|iframe|object|embed)$/i.test(element.tagName)) found.push(element.tagName);
        for (const attribute of Array.from(element.attributes)) {
          if (attribute.name.startsWith("on")) found.push(`${element.tagName}[${attribute.name}]`);
          if (/^\s*javascript:/i.test(attribute.value)) found.push(`${element.tagName}[${attribute.name}=javascript:]`);
        }
      }
      return found;
    });
    assert.deepEqual(leftovers, [], "the sanitizer removed every active element and attribute");
    assert.match((await page.locator(".article-page h1").first().textContent()) ?? "", /<img src=x onerror=/, "the title is shown as text");
    console.log(`# sanitizer parse of the payloads produced ${cspReports.length} CSP report(s); none ran (checked above)`);
    await page.close();
  });

  // ---- Issue #14: the session, RealWorld texts, network faults, notifications, accessibility ----
  /** @type {{ username: string, email: string, password: string, token: string }} */ let carol;
  /** @type {{ username: string, email: string, password: string, token: string }} */ let dave;
  let carolSlug = "";
  let demoSlug = "";

  it("decides the session by GET /user alone: a stale token is dropped before any other request goes out", async () => {
    carol = await apiUser("carol");
    dave = await apiUser("dave");
    carolSlug = (await callApi("/articles", {
      method: "POST",
      token: carol.token,
      body: { article: { title: `Carol's notes ${run}`, description: "Notes", body: "Some *notes*.", tagList: ["notes"] } },
    })).article.slug;
    demoSlug = (await callApi("/articles?author=johndoe&limit=20")).articles.find(
      (/** @type {any} */ a) => a.title === "How to train your dragon",
    ).slug;

    const context = await contextWithToken("stale.expired.token");
    const page = await newPage(context);
    const log = /** @type {string[]} */ ([]);
    const api = endpoints().apiUrl;
    page.on("request", (r) => r.url().startsWith(api) && r.method() !== "OPTIONS" && log.push(`> ${r.method()} ${new URL(r.url()).pathname}`));
    page.on("response", (r) => r.url().startsWith(api) && r.request().method() !== "OPTIONS" && log.push(`< ${r.status()} ${new URL(r.url()).pathname}`));
    // GET /user answers late: nothing else may be sent with the token meanwhile.
    await page.route(`${api}/user`, async (route) => {
      if (route.request().method() === "GET") await new Promise((r) => setTimeout(r, 700));
      await route.fallback();
    });
    await page.goto(url("/"));
    await page.locator(".article-preview").first().waitFor();
    await page.locator('.navbar a.nav-link:has-text("Sign in")').waitFor();
    assert.equal(await storedToken(page), null, "the 401 from GET /user removed the token");
    assert.equal(await authState(page), "unauthenticated");
    const answered = log.indexOf(`< 401 ${apiPath("/user")}`);
    const firstOther = log.findIndex((line) => line.startsWith("> ") && !line.endsWith(apiPath("/user")));
    assert.ok(answered >= 0 && firstOther > answered, `other requests waited for GET /user:\n${log.join("\n")}`);
    await context.close();
  });

  for (const fault of /** @type {const} */ ([500, 503, 400, 403, 404, "drop", "timeout"])) {
    it(`keeps the token and shows "Connecting..." while GET /user fails (${fault}), then recovers without a reload`, async () => {
      const context = await contextWithToken(carol.token);
      const page = await newPage(context);
      const restore = await breakApi(page, { ...endpoints(), fault, select: (u, m) => m === "GET" && u.pathname === apiPath("/user") });
      await page.goto(url("/settings"));
      await page.locator(".session-connecting").filter({ hasText: "Connecting..." }).waitFor();
      await page.locator(".navbar .session-status").filter({ hasText: "Connecting..." }).waitFor();
      assert.equal(await storedToken(page), carol.token, "the token is kept");
      assert.equal(await authState(page), "unavailable");
      await page.evaluate(() => (/** @type {any} */ (window).__sameDocument = true));
      await restore();
      if (fault !== 500) await page.click('.session-connecting button:has-text("Try now")');
      // A 500 is retried by the backoff alone (about 1 s, then 2 s).
      await page.locator('textarea[name="bio"]').waitFor({ timeout: 10_000 });
      assert.equal(await page.inputValue('input[name="email"]'), carol.email);
      assert.equal(await authState(page), "authenticated");
      assert.equal(await page.evaluate(() => /** @type {any} */ (window).__sameDocument), true, "no reload");
      await context.close();
    });
  }

  it("keeps what was typed and shows an error when PUT /user answers 401", async () => {
    const context = await contextWithToken(carol.token);
    const page = await newPage(context);
    await page.goto(url("/settings"));
    await page.locator('textarea[name="bio"]').fill("Typed before the token expired");
    const restore = await breakApi(page, { ...endpoints(), fault: 401, select: (u, m) => m === "PUT" && u.pathname === apiPath("/user") });
    await page.click('button:has-text("Update Settings")');
    await page.locator(".error-messages[role=alert] li").filter({ hasText: "token has expired" }).waitFor();
    assert.equal(new URL(page.url()).pathname, "/settings");
    assert.equal(await page.inputValue('textarea[name="bio"]'), "Typed before the token expired");
    await restore();
    await context.close();
  });

  it("keeps the page and what was typed when the token expires mid-session", async () => {
    const context = await contextWithToken(carol.token);
    const page = await newPage(context);
    await page.goto(url("/editor"));
    await page.fill('input[name="title"]', "Half-written");
    await page.fill('textarea[name="body"]', "A long body I do not want to lose.");
    // From now on the API rejects the token everywhere, GET /user included: it expired.
    const restore = await breakApi(page, { ...endpoints(), fault: 401 });
    await page.fill('input[name="description"]', "about");
    await page.click('button:has-text("Publish Article")');
    await page.locator(".session-expired").filter({ hasText: "Your session has expired" }).waitFor();
    await page.locator(".error-messages li").first().waitFor();
    assert.equal(new URL(page.url()).pathname, "/editor");
    assert.equal(await page.inputValue('input[name="title"]'), "Half-written");
    assert.equal(await page.inputValue('textarea[name="body"]'), "A long body I do not want to lose.");
    assert.equal(await storedToken(page), null);
    assert.equal(await page.locator('.session-expired a[href^="/login?redirect="]').count(), 1);
    await restore();
    await context.close();
  });

  it("uses the RealWorld reference apps' texts and markup", async () => {
    const context = await browser?.newContext();
    assert.ok(context);
    const page = await newPage(context);
    const requested = /** @type {string[]} */ ([]);
    page.on("request", (r) => r.url().startsWith(`${endpoints().apiUrl}/articles?`) && requested.push(new URL(r.url()).search));

    // One "Sign in" link per purpose: the comment area has its own.
    await page.goto(url(`/article/${encodeURIComponent(demoSlug)}`));
    await page.locator(".comment-signin").waitFor();
    assert.equal(await page.locator('a[href="/login"]').count(), 1, "only the navbar links to /login");
    assert.equal(await page.locator(`.comment-signin a[href="/login?redirect=${encodeURIComponent(`/article/${demoSlug}`)}"]`).count(), 1);

    // The bio paragraph is always there; empty without a bio.
    await page.goto(url("/profile/priyapatel"));
    await page.locator(".user-info h4").filter({ hasText: "priyapatel" }).waitFor();
    assert.equal(await page.locator(".user-info p").count(), 1);
    assert.equal((await page.locator(".user-info p").textContent())?.trim(), "");
    await page.goto(url("/profile/johndoe"));
    await page.locator(".user-info p").filter({ hasText: "Full-stack developer" }).waitFor();

    // The profile's error states have no .user-info.
    await page.goto(url(`/profile/nobody${run}`));
    await page.locator(".user-info-status .load-error").waitFor();
    assert.equal(await page.locator(".user-info").count(), 0);
    const restore = await breakApi(page, { ...endpoints(), fault: 500, select: (u) => u.pathname.startsWith(apiPath("/profiles/")) });
    await page.goto(url("/profile/johndoe"));
    await page.locator(".user-info-status .load-error").waitFor();
    assert.equal(await page.locator(".user-info").count(), 0);
    await restore();

    // Filters before the paging parameters.
    requested.length = 0;
    await page.goto(url("/profile/johndoe/favorites"));
    await settled(page);
    await page.goto(url("/tag/dragons"));
    await settled(page);
    await page.goto(url("/profile/johndoe"));
    await settled(page);
    for (const query of ["?favorited=johndoe&limit=10&offset=0", "?tag=dragons&limit=10&offset=0", "?author=johndoe&limit=10&offset=0"]) {
      assert.ok(requested.includes(query), `${query} in ${requested.join(" ")}`);
    }
    for (const query of requested) assert.match(query, /^\?(author|favorited|tag)=[^&]+&limit=\d+&offset=\d+$/);

    // A network failure says "Unable to connect".
    const drop = await breakApi(page, { ...endpoints(), fault: "drop", select: (u) => u.pathname === apiPath("/articles") });
    await page.goto(url("/"));
    await page.locator(".load-error").filter({ hasText: "Unable to connect" }).waitFor();
    await drop();
    await page.click('.load-error button:has-text("Try again")');
    await page.locator(".article-preview .preview-link").first().waitFor();
    await context.close();

    // An empty personal feed says so and links to the Global Feed.
    const daveContext = await contextWithToken(dave.token);
    const davePage = await newPage(daveContext);
    await davePage.goto(url("/?feed=following"));
    const empty = davePage.locator(".empty-feed-message").filter({ hasText: "Your feed is empty" });
    await empty.waitFor();
    assert.equal(await empty.locator('a[href="/"]').textContent(), "Global Feed");
    await daveContext.close();
  });

  /**
   * Runs `check` on a fresh tab of every page of the app, as a signed-out reader and as carol.
   * @param {(page: Page, where: string) => Promise<void>} check
   */
  async function onEveryPage(check) {
    assert.ok(browser);
    const article = (/** @type {string} */ slug) => `/article/${encodeURIComponent(slug)}`;
    const signedOut = ["/", "/tag/dragons", article(demoSlug), "/profile/johndoe", "/profile/johndoe/favorites", "/login", "/register", "/no-such-page"];
    const signedIn = ["/", "/?feed=following", article(carolSlug), `/profile/${carol.username}`, "/settings", "/editor"];
    signedIn.push(`/editor/${encodeURIComponent(carolSlug)}`, "/notifications");
    for (const [context, paths, who] of /** @type {const} */ ([
      [await browser.newContext(), signedOut, "signed out"],
      [await contextWithToken(carol.token), signedIn, "signed in"],
    ])) {
      for (const path of paths) {
        const page = await newPage(context);
        await check(page, `${path} (${who})`);
        await page.close();
      }
      await context.close();
    }
  }

  it("never shows a blank page when the API fails on any page (500, dropped, timeout), and recovers", async () => {
    const notSession = (/** @type {URL} */ u, /** @type {string} */ m) => !(m === "GET" && u.pathname === apiPath("/user"));
    for (const fault of /** @type {const} */ ([500, "drop", "timeout"])) {
      await onEveryPage(async (page, where) => {
        const restore = await breakApi(page, { ...endpoints(), fault, select: notSession });
        await page.goto(url(where.split(" ")[0]));
        await settled(page);
        await assertNotBlank(page, `${where} ${fault}`);
        const errors = await page.locator("main .load-error").count();
        const content = await page.locator("main form, main .not-found").count();
        assert.ok(errors + content > 0, `${where} ${fault} shows an error or its content`);
        if (fault === "drop") assert.ok(errors === 0 || (await page.getByText("Unable to connect").count()) > 0, `${where}: "Unable to connect"`);
        await restore();
        // The API is back: each failed part comes back with its "Try again".
        for (let tries = 0; tries < 5 && (await page.locator("main .load-error").count()) > 0; tries++) {
          await page.locator('main .load-error button:has-text("Try again")').first().click();
          await settled(page);
        }
        assert.equal(await page.locator("main .load-error").count(), 0, `${where} ${fault} recovers with "Try again"`);
      });
    }
  });

  it("keeps typed text and rolls back when an action fails (500, dropped, timeout), and works once the API is back", async () => {
    const context = await contextWithToken(dave.token);
    const page = await newPage(context);
    const article = url(`/article/${encodeURIComponent(carolSlug)}`);
    const failing = /** @type {const} */ ([500, "drop", "timeout"]);
    await page.goto(article);
    for (const fault of failing) {
      const restore = await breakApi(page, { ...endpoints(), fault, select: (_u, m) => m !== "GET" });
      // Favorite and follow: changed at once, rolled back with a message.
      await page.locator(".article-actions button").filter({ hasText: "Favorite Article" }).click();
      await page.locator(".banner .error-messages li").first().waitFor({ timeout: E2E_REQUEST_TIMEOUT_MS * 2 });
      await page.locator(".article-actions button").filter({ hasText: "Favorite Article (0)" }).waitFor();
      await page.locator(".article-actions button").filter({ hasText: `Follow ${carol.username}` }).click();
      await page.locator(".article-actions button").filter({ hasText: `Follow ${carol.username}` }).and(page.locator(":not([disabled])")).waitFor({ timeout: E2E_REQUEST_TIMEOUT_MS * 2 });
      // A comment: the text stays in the box.
      await page.fill('textarea[name="comment"]', `Comment during ${fault}`);
      await page.click('button:has-text("Post Comment")');
      await page.locator("#comment-errors li").first().waitFor({ timeout: E2E_REQUEST_TIMEOUT_MS * 2 });
      assert.equal(await page.inputValue('textarea[name="comment"]'), `Comment during ${fault}`);
      await assertNotBlank(page, `article actions (${fault})`);
      await restore();
    }
    await page.click('button:has-text("Post Comment")');
    await page.locator(".card:not(.comment-form) .card-block").filter({ hasText: "Comment during timeout" }).waitFor();
    assert.equal(await page.inputValue('textarea[name="comment"]'), "");

    for (const fault of failing) {
      await page.goto(url("/editor"));
      await page.fill('input[name="title"]', `Draft ${fault} ${run}`);
      await page.fill('input[name="description"]', "kept");
      await page.fill('textarea[name="body"]', "Body kept.");
      const restore = await breakApi(page, { ...endpoints(), fault, select: (_u, m) => m !== "GET" });
      await page.click('button:has-text("Publish Article")');
      await page.locator(".error-messages li").first().waitFor({ timeout: E2E_REQUEST_TIMEOUT_MS * 2 });
      assert.equal(await page.inputValue('input[name="title"]'), `Draft ${fault} ${run}`);
      assert.equal(await page.inputValue('textarea[name="body"]'), "Body kept.");

      await page.goto(url("/settings"));
      await page.locator('textarea[name="bio"]').fill(`Bio during ${fault}`);
      await page.click('button:has-text("Update Settings")');
      await page.locator(".error-messages li").first().waitFor({ timeout: E2E_REQUEST_TIMEOUT_MS * 2 });
      assert.equal(await page.inputValue('textarea[name="bio"]'), `Bio during ${fault}`);
      await restore();
    }
    await context.close();

    const guest = await browser?.newContext();
    assert.ok(guest);
    const login = await newPage(guest);
    await login.goto(url("/login"));
    const restore = await breakApi(login, { ...endpoints(), fault: "drop" });
    await login.getByLabel("Email").fill(carol.email);
    await login.getByLabel("Password").fill(carol.password);
    await login.keyboard.press("Enter");
    await login.locator(".error-messages li").filter({ hasText: "Unable to connect" }).waitFor();
    assert.equal(await login.inputValue('input[name="email"]'), carol.email);
    await restore();
    await login.keyboard.press("Enter");
    await login.waitForURL(url("/"));
    await guest.close();
  });

  it("keeps the page and says why when deleting, marking read or signing up fails", async () => {
    const mine = (await callApi("/articles", {
      method: "POST",
      token: dave.token,
      body: { article: { title: `Dave's draft ${run}`, description: "d", body: "b", tagList: [] } },
    })).article.slug;
    await callApi(`/articles/${encodeURIComponent(mine)}/favorite`, { method: "POST", token: carol.token });
    const context = await contextWithToken(dave.token);
    const page = await newPage(context);
    const writes = (/** @type {URL} */ _u, /** @type {string} */ m) => m !== "GET";

    // Deleting one of his comments, then his article: both stay, with the reason.
    await page.goto(url(`/article/${encodeURIComponent(carolSlug)}`));
    const comment = page.locator(".card:not(.comment-form)").filter({ hasText: "Comment during timeout" });
    await comment.waitFor();
    let restore = await breakApi(page, { ...endpoints(), fault: 500, select: writes });
    await comment.locator(".mod-options button").click();
    await page.locator("#comment-errors li").first().waitFor();
    assert.ok(await comment.isVisible());
    await restore();
    await page.goto(url(`/article/${encodeURIComponent(mine)}`));
    restore = await breakApi(page, { ...endpoints(), fault: "drop", select: writes });
    await page.locator('.banner button:has-text("Delete Article")').click();
    await page.locator(".banner .error-messages li").filter({ hasText: "Unable to connect" }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/article/${mine}`);
    await restore();

    // Marking notifications read.
    await page.goto(url("/notifications"));
    await page.locator(".notification-item.unread").first().waitFor();
    restore = await breakApi(page, { ...endpoints(), fault: 500, select: writes });
    await page.locator(".notification-item.unread button.notification-mark").first().click();
    await page.locator("main .error-messages li").first().waitFor();
    await page.click('button:has-text("Mark all as read")');
    await page.locator("main .error-messages li").first().waitFor();
    assert.equal(await page.locator(".notification-item.unread").count(), 1);
    await restore();
    await page.click('button:has-text("Mark all as read")');
    await page.locator(".notification-item.unread").waitFor({ state: "detached" });
    await context.close();

    // Signing up: the form keeps what was typed.
    const guest = await browser?.newContext();
    assert.ok(guest);
    const signup = await newPage(guest);
    await signup.goto(url("/register"));
    restore = await breakApi(signup, { ...endpoints(), fault: "timeout" });
    await signup.fill('input[name="username"]', `erin${run}`);
    await signup.fill('input[name="email"]', `erin${run}@example.com`);
    await signup.fill('input[name="password"]', "erin-password-1");
    await signup.click('button:has-text("Sign up")');
    await signup.locator(".error-messages li").filter({ hasText: "Unable to connect" }).waitFor({ timeout: E2E_REQUEST_TIMEOUT_MS * 2 });
    assert.equal(await signup.inputValue('input[name="username"]'), `erin${run}`);
    await restore();
    await signup.click('button:has-text("Sign up")');
    await signup.waitForURL(url("/"));
    await guest.close();
  });

  it("shows notifications: the bell's unread count (ETag, 304), pages, mark one and all read, links", async () => {
    // dave comments on carol's article 22 times: more than one page of notifications for carol.
    for (let i = 1; i <= 22; i++) {
      await callApi(`/articles/${encodeURIComponent(carolSlug)}/comments`, { method: "POST", token: dave.token, body: { comment: { body: `Note ${i}` } } });
    }
    const total = (await callApi("/notifications/unread-count", { token: carol.token })).unreadCount;
    assert.ok(total > 20, `${total} notifications`);
    const context = await contextWithToken(carol.token);
    const page = await newPage(context);
    // The wire's status codes: a revalidated answer reaches the page (and Playwright) as the cached 200.
    const counts = /** @type {number[]} */ ([]);
    const unreadRequests = new Set();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    cdp.on("Network.requestWillBeSent", (e) => e.request.url.endsWith("/notifications/unread-count") && e.request.method === "GET" && unreadRequests.add(e.requestId));
    cdp.on("Network.responseReceivedExtraInfo", (e) => unreadRequests.has(e.requestId) && counts.push(e.statusCode));
    await page.goto(url("/"));
    const bell = page.locator(".navbar a.notifications-bell");
    await bell.locator(".notifications-count").filter({ hasText: new RegExp(`^${total}$`) }).waitFor();
    assert.equal(await bell.getAttribute("aria-label"), `Notifications, ${total} unread`);
    // The next poll (the tab shown again) revalidates with the ETag: 304, no body.
    await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
    await page.waitForTimeout(500);
    assert.deepEqual(counts.slice(0, 2), [200, 304], `unread-count answers: ${counts.join(", ")}`);

    await bell.click();
    await page.waitForURL(url("/notifications"));
    const items = page.locator(".notification-item");
    await items.first().waitFor();
    assert.equal(await items.count(), 20);
    assert.equal(await page.locator(".notification-item.unread").count(), 20);
    const first = items.first();
    assert.match((await first.textContent()) ?? "", new RegExp(`${dave.username}\\s+commented on your article\\s+Carol's notes`));
    assert.equal(await first.locator("a.notification-article").getAttribute("href"), `/article/${encodeURIComponent(carolSlug)}`);
    assert.equal(await first.locator("a.notification-actor").getAttribute("href"), `/profile/${dave.username}`);
    await page.click('button:has-text("Load more")');
    await items.nth(total - 1).waitFor();
    assert.equal(await items.count(), total);
    assert.equal(await page.locator('button:has-text("Load more")').count(), 0);

    await first.locator("button.notification-mark").click();
    await bell.locator(".notifications-count").filter({ hasText: new RegExp(`^${total - 1}$`) }).waitFor();
    assert.equal(await page.locator(".notification-item.unread").count(), total - 1);
    await page.click('button:has-text("Mark all as read")');
    await page.locator(".notification-item.unread").first().waitFor({ state: "detached" });
    await bell.locator(".notifications-count").waitFor({ state: "detached" });
    assert.equal(await bell.getAttribute("aria-label"), "Notifications");

    await first.locator("a.notification-article").click();
    await page.waitForURL(url(`/article/${encodeURIComponent(carolSlug)}`));
    await page.goBack();
    await page.locator(".notification-item a.notification-actor").first().click();
    await page.waitForURL(url(`/profile/${dave.username}`));
    await context.close();
  });

  it("has no serious or critical axe-core violations on any page, signed in or out", async () => {
    const found = /** @type {string[]} */ ([]);
    await onEveryPage(async (page, where) => {
      await page.goto(url(where.split(" ")[0]));
      await settled(page);
      await page.locator("main h1, main h4, main .article-preview").first().waitFor();
      for (const violation of await axeViolations(page)) found.push(`${where}: ${violation}`);
    });
    assert.deepEqual(found, []);
  });

  it("reaches every action by keyboard with a visible focus, and announces form errors", async () => {
    const context = await contextWithToken(dave.token);
    const page = await newPage(context);
    await page.goto(url(`/article/${encodeURIComponent(carolSlug)}`));
    await page.locator(".article-actions button").first().waitFor();
    const stops = await tabThrough(page, 60);
    for (const action of ["Skip to content", "Favorite Article", `Follow ${carol.username}`, "Write a comment", "Post Comment", "Notifications"]) {
      assert.ok(stops.some((stop) => stop.includes(action)), `"${action}" is reachable by Tab: ${stops.join(" | ")}`);
    }
    await page.goto(url("/"));
    await page.locator(".article-preview .preview-link").first().waitFor();
    const homeStops = await tabThrough(page, 40);
    for (const action of ["Your Feed", "Global Feed"]) assert.ok(homeStops.some((s) => s.includes(action)), `"${action}" by Tab`);
    await context.close();

    const guest = await browser?.newContext();
    assert.ok(guest);
    const login = await newPage(guest);
    await login.goto(url("/login"));
    await login.getByLabel("Email").fill(carol.email);
    await login.getByLabel("Password").fill("wrong-password");
    await login.keyboard.press("Enter");
    const errors = login.locator(".error-messages");
    await errors.locator("li").first().waitFor();
    assert.equal(await errors.getAttribute("role"), "alert", "form errors are announced");
    assert.equal(await login.locator("form").getAttribute("aria-describedby"), await errors.getAttribute("id"));
    await guest.close();
  });

  it("holds the Lighthouse budgets on the home and article pages (performance, accessibility, best practices >= 95 on desktop)", async () => {
    const results = await runLighthouse([url("/"), url(`/article/${encodeURIComponent(demoSlug)}`)], {
      reportDir: SCREENSHOT_DIR,
      readme: process.env.E2E_UPDATE_DOCS === "1" ? join(FRONTEND_DIR, "README.md") : null,
    });
    // Desktop settings hold the budgets; mobile's accessibility and best practices too (its
    // performance is reported: see e2e/lighthouse.mjs).
    const low = results.flatMap((r) =>
      Object.entries(r.scores)
        .filter(([name, score]) => score < 95 && (r.formFactor === "desktop" || name !== "performance"))
        .map(([name, score]) => `${r.formFactor} ${r.url} ${name} ${score}`),
    );
    assert.deepEqual(low, [], results.map((r) => `${r.url}: ${JSON.stringify(r.scores)}`).join("\n"));
  });

  it("signs out on every device", async () => {
    assert.ok(browser);
    const otherDevice = await browser.newContext();
    const other = await newPage(otherDevice);
    await other.goto(url("/login"));
    await other.getByLabel("Email").fill(alice.email);
    await other.getByLabel("Password").fill(alice.password);
    await other.keyboard.press("Enter");
    await other.waitForURL(url("/"));
    await expectSignedInAs(other, alice);

    await alicePage.goto(url("/settings"));
    await alicePage.click('button:has-text("Sign out on every device")');
    await alicePage.waitForURL(url("/"));
    await alicePage.locator('.navbar a.nav-link:has-text("Sign in")').waitFor();
    assert.equal(await alicePage.evaluate(() => localStorage.getItem("jwtToken")), null);

    // The other device's token is revoked too: its next check of the session signs it out.
    await other.reload();
    await other.locator('.navbar a.nav-link:has-text("Sign in")').waitFor();
    assert.equal(await other.evaluate(() => localStorage.getItem("jwtToken")), null);
    await otherDevice.close();
  });

  it("saw no page errors, CSP violations or foreign requests", () => {
    assert.deepEqual(problems, []);
  });
});

export { SCREENSHOT_DIR };
