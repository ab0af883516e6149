/**
 * What the e2e suite checks on any page: accessibility (axe-core), a visible keyboard focus, a page
 * that is never blank; and the network faults it injects by request interception (an API answering
 * 500, a dropped connection, a request that is never answered, a rejected token).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** @typedef {import("playwright-core").Page} Page */
/** @typedef {import("playwright-core").Route} Route */

/**
 * axe-core's serious and critical violations on the page as it is now. The script is evaluated
 * through the DevTools protocol, which the page's Content-Security-Policy does not govern.
 * @param {Page} page
 * @returns {Promise<string[]>}
 */
export async function axeViolations(page) {
  const loaded = await page.evaluate(() => typeof (/** @type {any} */ (window).axe) === "object");
  if (!loaded) await page.evaluate(`${AXE_SOURCE}\n;undefined`);
  return page.evaluate(async () => {
    const axe = /** @type {any} */ (window).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((/** @type {any} */ v) => v.impact === "serious" || v.impact === "critical")
      .map(
        (/** @type {any} */ v) =>
          `${v.impact} ${v.id} (${v.help}): ${v.nodes
            .slice(0, 3)
            .map((/** @type {any} */ n) => n.target.join(" "))
            .join(", ")}`,
      );
  });
}

/**
 * Tabs through the page (up to `limit` stops) and returns what got the focus, failing when a focused
 * element shows no focus indicator (outline or box-shadow).
 * @param {Page} page
 * @param {number} [limit]
 * @returns {Promise<string[]>} the focused elements' accessible texts, in order
 */
export async function tabThrough(page, limit = 40) {
  await page.evaluate(() => /** @type {HTMLElement | null} */ (document.activeElement)?.blur());
  const stops = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    const stop = await page.evaluate(() => {
      const element = /** @type {HTMLElement | null} */ (document.activeElement);
      if (!element || element === document.body) return null;
      const style = getComputedStyle(element);
      const visible = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
      const text = (element.getAttribute("aria-label") || element.textContent || element.getAttribute("placeholder") || element.tagName).trim();
      return { text: text.replace(/\s+/g, " ").slice(0, 60), visible, tag: element.tagName };
    });
    if (!stop) break;
    assert.ok(stop.visible, `the focused ${stop.tag} "${stop.text}" shows no focus indicator`);
    stops.push(stop.text);
  }
  return stops;
}

/**
 * Fails when the page shows nothing: the navbar and some text in <main> are always there.
 * @param {Page} page
 * @param {string} where
 */
export async function assertNotBlank(page, where) {
  assert.ok(await page.locator("nav.navbar .navbar-brand").isVisible(), `${where}: the navbar is gone`);
  const text = (await page.locator("main").innerText()).trim();
  assert.ok(text.length > 0, `${where}: the page is blank`);
}

/** @typedef {number | "drop" | "timeout"} Fault  an HTTP status to answer with, or no answer at all */

/**
 * Breaks the API calls whose URL starts with `apiUrl` and that `select` picks, in the way `fault`
 * says, until the returned function is called (the API coming back). Preflights pass through, and
 * injected answers carry the CORS headers the real API would send, so the app sees the status.
 * @param {Page} page
 * @param {{ apiUrl: string, spaOrigin: string, fault: Fault, select?: (url: URL, method: string) => boolean }} options
 * @returns {Promise<() => Promise<void>>}
 */
export async function breakApi(page, { apiUrl, spaOrigin, fault, select = () => true }) {
  /** @type {Route[]} */
  const hanging = [];
  const cors = { "access-control-allow-origin": spaOrigin, "content-type": "application/json", vary: "Origin" };
  /** @param {Route} route */
  const handler = async (route) => {
    const request = route.request();
    if (request.method() === "OPTIONS" || !select(new URL(request.url()), request.method())) return route.fallback();
    if (fault === "drop") return route.abort("connectionreset");
    if (fault === "timeout") {
      hanging.push(route); // never answered: the app's own timeout gives up
      return;
    }
    const errors = fault === 401 ? { token: ["has expired"] } : { server: [`Injected HTTP ${fault}`] };
    return route.fulfill({ status: fault, headers: cors, body: JSON.stringify({ errors }) });
  };
  const pattern = (/** @type {URL} */ url) => url.href.startsWith(apiUrl);
  await page.route(pattern, handler);
  return async () => {
    await page.unroute(pattern, handler);
    for (const route of hanging.splice(0)) await route.abort("timedout").catch(() => {});
  };
}
