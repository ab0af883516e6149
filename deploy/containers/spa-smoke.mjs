#!/usr/bin/env node
/**
 * Browser smoke test of the containerized SPA (make compose-check): headless Chromium on the web
 * container's nginx, which serves the SPA and proxies /api/ to the API containers. It loads the home
 * page (the demo articles), signs up, publishes an article and finds it on the home page; any page
 * error, CSP violation, failed request or request to another origin fails it.
 *
 *   node deploy/containers/spa-smoke.mjs http://127.0.0.1:8280
 *
 * The browser comes from frontend/e2e/support.mjs (playwright-core and /usr/bin/chromium, as make e2e).
 */
import assert from "node:assert/strict";
import { launchBrowser } from "../../frontend/e2e/support.mjs";

const origin = new URL(process.argv[2] ?? "http://127.0.0.1:8280").origin;
const run = Date.now().toString(36);
const user = { username: `smoke${run}`, email: `smoke${run}@example.com`, password: "smoke-password-1" };
const title = `Shipped in a container ${run}`;
const problems = /** @type {string[]} */ ([]);

const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (/Content.Security.Policy/i.test(message.text())) problems.push(`CSP: ${message.text().slice(0, 160)}`);
  });
  page.on("requestfailed", (request) => {
    // ERR_ABORTED: the browser cancelled it (a navigation left the page), nothing failed on the way.
    const error = request.failure()?.errorText ?? "";
    if (error !== "net::ERR_ABORTED") problems.push(`failed: ${request.url()} ${error}`);
  });
  page.on("request", (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith("data:")) {
      problems.push(`request to a foreign origin: ${request.url()}`);
    }
  });
  page.on("response", (response) => {
    if (response.status() >= 500) problems.push(`${response.status()} ${response.url()}`);
  });

  await page.goto(`${origin}/`);
  await page.locator(".article-preview").first().waitFor();
  console.log("home page: the demo articles are listed");

  await page.goto(`${origin}/register`);
  await page.fill('input[name="username"]', user.username);
  await page.fill('input[name="email"]', user.email);
  await page.fill('input[name="password"]', user.password);
  await page.click('button:has-text("Sign up")');
  await page.waitForURL(`${origin}/`);
  await page.locator(`.navbar a.nav-link:has-text("${user.username}")`).waitFor();
  console.log(`signed up as ${user.username}`);

  await page.goto(`${origin}/editor`);
  await page.fill('input[name="title"]', title);
  await page.fill('input[name="description"]', "smoke test");
  await page.fill('textarea[name="body"]', "Served by **nginx** in a container.");
  await page.click('button:has-text("Publish Article")');
  await page.waitForURL(/\/article\//);
  assert.equal(await page.locator(".article-page h1").first().textContent(), title);
  // A deep link loads the SPA from nginx (index.html for any route), then the article from the API.
  await page.reload();
  assert.equal(await page.locator(".article-page h1").first().textContent(), title);
  await page.click('.navbar a.nav-link:has-text("Home")');
  await page.locator(".article-preview").filter({ hasText: title }).waitFor();
  console.log("published an article, read it back through a deep link and on the home page");

  assert.deepEqual(problems, [], "no page error, CSP violation, failed or foreign request, 5xx");
  console.log(`SPA smoke test PASSED on ${origin}`);
} finally {
  await browser.close();
}
