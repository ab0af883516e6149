/**
 * What the e2e suite runs against: the real Django API on a fresh SQLite database (production
 * settings, loopback port), the SPA built for that API and served by scripts/serve.mjs, and a
 * headless system Chromium driven by playwright-core. Everything started here is stopped by `stop()`.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build } from "vite";
import { createStaticServer } from "../scripts/serve.mjs";

export const FRONTEND_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_DIR = resolve(FRONTEND_DIR, "..");
export const SCREENSHOT_DIR = join(FRONTEND_DIR, "e2e", "screenshots");

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * A free TCP port on the loopback interface (or the one given in `envName`).
 * @param {string} envName
 * @returns {Promise<number>}
 */
export async function freePort(envName) {
  if (process.env[envName]) return Number(process.env[envName]);
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

/** @param {string} url @param {number} timeoutMs @param {() => boolean} [isAlive] */
async function waitForHttp(url, timeoutMs, isAlive = () => true) {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`the server exited before answering ${url}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${lastError})`);
}

/**
 * Migrates a fresh SQLite database, loads the demo data (`manage.py demo`: johndoe, janedoe... whose
 * password is DEMO_PASSWORD) and starts uvicorn on `port`, with production settings (DEBUG off, a
 * random secret key) apart from TLS, and CORS open to `spaOrigin` only.
 * @param {{ port: number, spaOrigin: string, logFile: string }} options
 */
export async function startBackend({ port, spaOrigin, logFile }) {
  const python = process.env.E2E_PYTHON || join(REPO_DIR, ".venv", "bin", "python");
  if (!existsSync(python)) throw new Error(`${python} is missing: run \`make install\` in ${REPO_DIR} first.`);
  const database = join(process.env.TMPDIR || "/tmp", `conduit-e2e-${process.pid}-${Date.now()}.sqlite3`);
  const env = {
    ...process.env,
    DJANGO_READ_DOT_ENV: "false", // hermetic: ignore a developer's .env
    DJANGO_DEBUG: "false",
    DJANGO_SECRET_KEY: randomBytes(48).toString("base64url"),
    DJANGO_ALLOWED_HOSTS: "127.0.0.1,localhost",
    DJANGO_CORS_ALLOWED_ORIGINS: spaOrigin,
    DJANGO_SECURE_SSL_REDIRECT: "false",
    DJANGO_SECURE_HSTS_SECONDS: "0",
    DJANGO_LOG_LEVEL: "WARNING",
    DATABASE_URL: `sqlite:///${database}`,
    REDIS_URL: "", // in-process cache, eager tasks: nothing shared with other runs
    CELERY_BROKER_URL: "",
    PYTHONUNBUFFERED: "1",
  };
  const backendDir = join(REPO_DIR, "backend");
  const migrate = spawnSync(python, ["manage.py", "migrate", "--noinput", "-v", "0"], { cwd: backendDir, env, encoding: "utf8" });
  if (migrate.status !== 0) throw new Error(`migrate failed:\n${migrate.stdout}\n${migrate.stderr}`);
  const demo = spawnSync(python, ["manage.py", "demo", "-v", "0"], { cwd: backendDir, env, encoding: "utf8" });
  if (demo.status !== 0) throw new Error(`manage.py demo failed:\n${demo.stdout}\n${demo.stderr}`);

  const log = createWriteStream(logFile);
  const child = spawn(
    python,
    // The Makefile's UVICORN_OPTIONS (tests/deploy/test_files.py keeps them equal).
    [
      "-m",
      "uvicorn",
      "config.asgi:application",
      ...["--interface", "asgi3", "--http", "httptools", "--loop", "uvloop", "--no-proxy-headers"],
      ...["--host", "127.0.0.1", "--port", String(port), "--log-level", "warning"],
    ],
    { cwd: backendDir, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let alive = true;
  child.once("exit", () => (alive = false));
  const apiUrl = `http://127.0.0.1:${port}/api/v1`;
  await waitForHttp(`${apiUrl}/tags`, 60_000, () => alive);

  return {
    apiUrl,
    async stop() {
      if (alive) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        const timer = setTimeout(() => alive && child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
      for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(database + suffix, { force: true });
    },
  };
}

/** The demo users' password (backend/apps/devtools/management/demo_data.py). */
export const DEMO_PASSWORD = "password123";

/** How long the e2e build lets a request go unanswered (the app's default is 20 s). */
export const E2E_REQUEST_TIMEOUT_MS = 3_000;

/**
 * Builds the SPA for `apiUrl` into `outDir` (VITE_API_URL is a build-time setting), with a short
 * request timeout so that the network-fault tests see timeouts quickly.
 * @param {{ apiUrl: string, outDir: string }} options
 */
export async function buildSpa({ apiUrl, outDir }) {
  const settings = { VITE_API_URL: apiUrl, VITE_REQUEST_TIMEOUT_MS: String(E2E_REQUEST_TIMEOUT_MS) };
  const previous = Object.fromEntries(Object.keys(settings).map((name) => [name, process.env[name]]));
  Object.assign(process.env, settings);
  try {
    await build({ root: FRONTEND_DIR, logLevel: "warn", build: { outDir, emptyOutDir: true } });
  } finally {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/**
 * Serves `root` with scripts/serve.mjs on 127.0.0.1:`port`, under the SPA's one policy with the API's
 * origin in connect-src (`csp: false` drops the CSP header).
 * @param {{ root: string, port: number, apiOrigin: string, csp?: boolean }} options
 */
export async function startSpa({ root, port, apiOrigin, csp = true }) {
  const server = createStaticServer({ root, csp, apiOrigin });
  await new Promise((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolveListen(undefined));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((r) => {
        server.closeAllConnections?.();
        server.close(() => r(undefined));
      }),
  };
}

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH).`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export function prepareScreenshotDir() {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
}
