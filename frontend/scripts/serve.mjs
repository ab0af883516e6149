#!/usr/bin/env node
/**
 * A tiny static server for the built SPA (Node built-ins only), with the caching a CDN should apply:
 *
 *   /assets/*    content-hashed by Vite   Cache-Control: public, max-age=31536000, immutable
 *   index.html   and the history fallback Cache-Control: no-cache  (revalidated with its ETag)
 *   other files  (default-avatar.svg …)   Cache-Control: no-cache
 *
 * Any GET for a path without a file extension that is not a file (/article/foo, /profile/bar)
 * gets index.html, so deep links survive a reload; a missing file with an extension is a 404.
 *
 * Every answer carries the SPA's security headers (Content-Security-Policy...) from
 * ../deploy/spa-headers.conf, the policy nginx serves too; the API's origin (--api-origin, or the
 * origin of VITE_API_URL) is added to its connect-src.
 *
 * Usage: node scripts/serve.mjs [--host 127.0.0.1] [--port 5173] [--dir dist] [--api-origin http://127.0.0.1:8000]
 *        (or HOST / PORT / DIST_DIR / API_ORIGIN in the environment)
 */
import { createReadStream, readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

export const IMMUTABLE = "public, max-age=31536000, immutable";
export const NO_CACHE = "no-cache";

/** @type {Record<string, string>} */
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".css", ".json", ".svg", ".txt", ".map", ".webmanifest"]);

/** The one policy of the SPA's security headers, shared with nginx (docs/deploy.md, "Content-Security-Policy"). */
export const SPA_HEADERS_FILE = fileURLToPath(new URL("../../deploy/spa-headers.conf", import.meta.url));

/**
 * The headers of `file` (its `add_header Name "value" always;` lines), with `apiOrigin`, when the API
 * is on another origin, as the one more source of the CSP's connect-src.
 * @param {{ apiOrigin?: string, file?: string }} [options]
 * @returns {Record<string, string>}
 */
export function securityHeaders({ apiOrigin = "", file = SPA_HEADERS_FILE } = {}) {
  /** @type {Record<string, string>} */
  const headers = {};
  for (const [, name, value] of readFileSync(file, "utf8").matchAll(/^add_header ([\w-]+) "([^"]*)" always;$/gm)) {
    headers[name] = value;
  }
  const policy = headers["Content-Security-Policy"];
  if (!policy?.includes("connect-src 'self'")) throw new Error(`${file}: no Content-Security-Policy with connect-src 'self'`);
  if (apiOrigin) {
    headers["Content-Security-Policy"] = policy.replace("connect-src 'self'", `connect-src 'self' ${new URL(apiOrigin).origin}`);
  }
  return headers;
}

/**
 * The origin of an absolute VITE_API_URL (the API the bundle was built for); "" for a path (same origin).
 * @param {string | undefined} apiUrl
 */
function originOf(apiUrl) {
  return apiUrl && /^https?:\/\//.test(apiUrl) ? new URL(apiUrl).origin : "";
}

/**
 * The Cache-Control for a served path (relative to the root, with a leading slash).
 * @param {string} urlPath
 */
export function cacheControlFor(urlPath) {
  return urlPath.startsWith("/assets/") ? IMMUTABLE : NO_CACHE;
}

/**
 * Creates (does not start) the server for `root`; `apiOrigin`: the API's origin when it is another one.
 * @param {{ root: string, log?: (line: string) => void, csp?: boolean, apiOrigin?: string }} options
 */
export function createStaticServer({ root, log = () => {}, csp = true, apiOrigin = "" }) {
  const base = resolve(root);
  const SECURITY_HEADERS = securityHeaders({ apiOrigin });
  if (!csp) delete SECURITY_HEADERS["Content-Security-Policy"];
  /** @type {Map<string, { mtimeMs: number, body: Buffer }>} gzip results by file path */
  const gzipCache = new Map();

  /**
   * Maps a URL path to a file inside the root, or null when it would escape it.
   * @param {string} urlPath
   */
  function toFile(urlPath) {
    const file = normalize(join(base, urlPath));
    return file === base || file.startsWith(base + sep) ? file : null;
  }

  /** @param {string} file */
  async function fileStat(file) {
    try {
      const info = await stat(file);
      return info.isFile() ? info : null;
    } catch {
      return null;
    }
  }

  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   * @param {string} file
   * @param {import("node:fs").Stats} info
   * @param {string} cacheControl
   */
  async function sendFile(req, res, file, info, cacheControl) {
    const ext = extname(file).toLowerCase();
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const headers = {
      ...SECURITY_HEADERS,
      "Content-Type": TYPES[ext] ?? "application/octet-stream",
      "Cache-Control": cacheControl,
      ETag: etag,
      "Last-Modified": info.mtime.toUTCString(),
      Vary: "Accept-Encoding",
    };
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, headers).end();
      return 304;
    }
    const wantsGzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    if (wantsGzip && COMPRESSIBLE.has(ext) && info.size > 512) {
      let cached = gzipCache.get(file);
      if (!cached || cached.mtimeMs !== info.mtimeMs) {
        cached = { mtimeMs: info.mtimeMs, body: gzipSync(await readFile(file)) };
        gzipCache.set(file, cached);
      }
      res.writeHead(200, { ...headers, "Content-Encoding": "gzip", "Content-Length": cached.body.length });
      res.end(req.method === "HEAD" ? undefined : cached.body);
      return 200;
    }
    res.writeHead(200, { ...headers, "Content-Length": info.size });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
    return 200;
  }

  return createServer(async (req, res) => {
    let status = 500;
    try {
      status = await handle(req, res);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("Internal Server Error\n");
      log(`error ${req.method} ${req.url}: ${error instanceof Error ? error.message : error}`);
    }
    log(`${status} ${req.method} ${req.url}`);
  });

  /** @param {import("node:http").IncomingMessage} req @param {import("node:http").ServerResponse} res */
  async function handle(req, res) {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { ...SECURITY_HEADERS, Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" });
      res.end("Method Not Allowed\n");
      return 405;
    }
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      res.writeHead(400, { ...SECURITY_HEADERS, "Content-Type": "text/plain; charset=utf-8" }).end("Bad Request\n");
      return 400;
    }
    if (urlPath.includes("\0")) {
      res.writeHead(400, { ...SECURITY_HEADERS, "Content-Type": "text/plain; charset=utf-8" }).end("Bad Request\n");
      return 400;
    }
    const file = urlPath.endsWith("/") ? null : toFile(urlPath);
    const info = file ? await fileStat(file) : null;
    if (file && info) {
      const cacheControl = urlPath === "/index.html" ? NO_CACHE : cacheControlFor(urlPath);
      return sendFile(req, res, file, info, cacheControl);
    }
    // History-API fallback: app routes have no extension (/article/foo.bar would be a slug with a dot,
    // so anything outside /assets/ that asks for HTML gets the app too).
    const accept = String(req.headers.accept ?? "");
    const looksLikeRoute = extname(urlPath) === "" || (accept.includes("text/html") && !urlPath.startsWith("/assets/"));
    if (looksLikeRoute) {
      const index = join(base, "index.html");
      const indexInfo = await fileStat(index);
      if (indexInfo) return sendFile(req, res, index, indexInfo, NO_CACHE);
    }
    res.writeHead(404, { ...SECURITY_HEADERS, "Content-Type": "text/plain; charset=utf-8", "Cache-Control": NO_CACHE });
    res.end("Not Found\n");
    return 404;
  }
}

/**
 * Reads `--name value` from argv, then the environment variable, then the default.
 * @param {string[]} argv @param {string} name @param {string} envName @param {string} fallback
 */
function option(argv, name, envName, fallback) {
  const index = argv.indexOf(`--${name}`);
  if (index !== -1 && argv[index + 1]) return argv[index + 1];
  return process.env[envName] || fallback;
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const argv = process.argv.slice(2);
  const here = fileURLToPath(new URL("..", import.meta.url));
  const host = option(argv, "host", "HOST", "127.0.0.1");
  const port = Number(option(argv, "port", "PORT", "5173"));
  const root = resolve(here, option(argv, "dir", "DIST_DIR", "dist"));
  const apiOrigin = option(argv, "api-origin", "API_ORIGIN", originOf(process.env.VITE_API_URL));
  const quiet = argv.includes("--quiet");
  try {
    await stat(join(root, "index.html"));
  } catch {
    console.error(`${join(root, "index.html")} is missing: run \`npm run build\` first.`);
    process.exit(1);
  }
  const server = createStaticServer({ root, apiOrigin, log: quiet ? undefined : (line) => console.log(line) });
  server.listen(port, host, () => console.log(`Conduit SPA: serving ${root} on http://${host}:${port}/`));
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
