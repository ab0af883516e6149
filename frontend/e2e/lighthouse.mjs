/**
 * Lighthouse (npm) on Debian's Chromium against pages of the built SPA as served in production
 * (scripts/serve.mjs: its caching, compression and security headers). Each page is audited with
 * Lighthouse's desktop settings (the budgets) and its default mobile ones (simulated slow 4G and a 4x
 * slower CPU: reported, not enforced, as the simulation multiplies the main thread's observed time,
 * which a shared 2-core CI machine makes noisy). Scores are 0-100 per category.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const CATEGORIES = /** @type {const} */ (["performance", "accessibility", "best-practices"]);
const README_START = "<!-- lighthouse:start -->";
const README_END = "<!-- lighthouse:end -->";

/** @typedef {{ url: string, formFactor: "desktop" | "mobile", scores: Record<string, number>, metrics: Record<string, string> }} PageScores */

/**
 * Audits each URL in a fresh headless Chromium, writes `lighthouse-<n>.json` reports into `reportDir`
 * and, when `readme` is a path, the summary table between its lighthouse markers.
 * @param {string[]} urls
 * @param {{ reportDir: string, readme: string | null }} options
 * @returns {Promise<PageScores[]>}
 */
export async function runLighthouse(urls, { reportDir, readme }) {
  const chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM,
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
  });
  /** @type {PageScores[]} */
  const results = [];
  try {
    for (const [index, url] of urls.entries()) for (const formFactor of /** @type {const} */ (["desktop", "mobile"])) {
      const flags = { port: chrome.port, output: /** @type {const} */ ("json"), logLevel: /** @type {const} */ ("error"), onlyCategories: [...CATEGORIES] };
      const run = await lighthouse(url, flags, formFactor === "desktop" ? desktopConfig : undefined);
      if (!run) throw new Error(`Lighthouse returned nothing for ${url}`);
      const { lhr } = run;
      writeFileSync(join(reportDir, `lighthouse-${index + 1}-${formFactor}.json`), JSON.stringify(lhr, null, 1));
      const scores = Object.fromEntries(CATEGORIES.map((name) => [name, Math.round((lhr.categories[name]?.score ?? 0) * 100)]));
      const metric = (/** @type {string} */ id) => lhr.audits[id]?.displayValue ?? "";
      results.push({
        url,
        formFactor,
        scores,
        metrics: { FCP: metric("first-contentful-paint"), LCP: metric("largest-contentful-paint"), TBT: metric("total-blocking-time"), CLS: metric("cumulative-layout-shift") },
      });
      console.log(`# lighthouse ${formFactor} ${url}: ${JSON.stringify(scores)}`);
    }
  } finally {
    await chrome.kill();
  }
  if (readme) writeSummary(readme, results);
  return results;
}

/** @param {string} readme @param {PageScores[]} results */
function writeSummary(readme, results) {
  const text = readFileSync(readme, "utf8");
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`${readme} has no ${README_START} ... ${README_END} section`);
  const rows = results.map(({ url, formFactor, scores, metrics }) => {
    const path = new URL(url).pathname.replace(/^\/article\/.*/, "/article/:slug");
    const enforced = formFactor === "desktop" ? "desktop (budget)" : "mobile (reported)";
    return `| \`${path}\` | ${enforced} | ${scores.performance} | ${scores.accessibility} | ${scores["best-practices"]} | ${metrics.FCP} | ${metrics.LCP} | ${metrics.TBT} | ${metrics.CLS} |`;
  });
  const table = [
    "| page | settings | performance | accessibility | best practices | FCP | LCP | TBT | CLS |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
  writeFileSync(readme, `${text.slice(0, start + README_START.length)}\n${table}\n${text.slice(end)}`);
}
