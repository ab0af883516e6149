#!/usr/bin/env node
/**
 * Bundle-size budget. Reads dist/.vite/manifest.json (run `npm run build` first), measures what the
 * browser must download before the first render (the entry chunk and its static imports, with their
 * CSS) gzipped, lists the lazy chunks, and fails when the initial JS is over the budget.
 *
 * Usage: node scripts/size.mjs [--dir dist] [--budget-kb 50]   (or SIZE_BUDGET_KB)
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const argv = process.argv.slice(2);
/** @param {string} name @param {string} fallback */
const option = (name, fallback) => {
  const index = argv.indexOf(`--${name}`);
  return index !== -1 && argv[index + 1] ? argv[index + 1] : fallback;
};

const here = fileURLToPath(new URL("..", import.meta.url));
const dist = resolve(here, option("dir", "dist"));
const budgetKb = Number(option("budget-kb", process.env.SIZE_BUDGET_KB || "50"));
const budgetBytes = budgetKb * 1000;

/** @typedef {{ file: string, isEntry?: boolean, imports?: string[], dynamicImports?: string[], css?: string[] }} Chunk */
/** @type {Record<string, Chunk>} */
let manifest;
try {
  manifest = JSON.parse(readFileSync(join(dist, ".vite", "manifest.json"), "utf8"));
} catch {
  console.error(`${join(dist, ".vite", "manifest.json")} is missing: run \`npm run build\` first.`);
  process.exit(1);
}

/** @param {string} file */
function sizes(file) {
  const bytes = readFileSync(join(dist, file));
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/** @param {number} bytes */
const kb = (bytes) => `${(bytes / 1000).toFixed(2)} kB`;

// The initial graph: entries and everything they import statically.
const initial = new Set();
const initialCss = new Set();
/** @param {string} key */
function visit(key) {
  if (initial.has(key)) return;
  initial.add(key);
  const chunk = manifest[key];
  for (const css of chunk.css ?? []) initialCss.add(css);
  for (const dependency of chunk.imports ?? []) visit(dependency);
}
for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);

const initialJs = [...initial].map((key) => manifest[key].file).filter((file) => file.endsWith(".js"));
const lazyJs = Object.entries(manifest)
  .filter(([key, chunk]) => !initial.has(key) && chunk.file.endsWith(".js"))
  .map(([, chunk]) => chunk.file);

/** @param {string} title @param {string[]} files */
function table(title, files) {
  let raw = 0;
  let gzip = 0;
  console.log(title);
  for (const file of files) {
    const size = sizes(file);
    raw += size.raw;
    gzip += size.gzip;
    console.log(`  ${file.padEnd(44)} ${kb(size.raw).padStart(10)}  gzip ${kb(size.gzip).padStart(10)}`);
  }
  console.log(`  ${"total".padEnd(44)} ${kb(raw).padStart(10)}  gzip ${kb(gzip).padStart(10)}`);
  return gzip;
}

const jsGzip = table("Initial JS (entry + static imports):", initialJs);
table("Initial CSS:", [...initialCss]);
if (lazyJs.length) table("Lazy JS (loaded on demand):", lazyJs);

const verdict = `initial JS ${kb(jsGzip)} gzipped; budget ${kb(budgetBytes)}`;
if (jsGzip > budgetBytes) {
  console.error(`\nOVER BUDGET: ${verdict}`);
  process.exit(1);
}
console.log(`\nOK: ${verdict}`);
