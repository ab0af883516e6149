import { fileURLToPath, URL } from "node:url";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import type { Plugin } from "vite";
import { loadEnv } from "vite";
import { defineConfig } from "vitest/config";

/**
 * index.html opens the connection to a cross-origin API while the bundle loads
 * (`<link rel="preconnect" crossorigin>`): the first API call then skips DNS, TCP and TLS set-up.
 */
function preconnectApi(apiUrl: string | undefined): Plugin {
  return {
    name: "conduit-preconnect-api",
    transformIndexHtml() {
      if (!apiUrl || !/^https?:\/\//.test(apiUrl)) return [];
      return [{ tag: "link", attrs: { rel: "preconnect", href: new URL(apiUrl).origin, crossorigin: "" }, injectTo: "head" }];
    },
  };
}

// Build and dev-server settings. The app itself reads its settings (VITE_API_URL) in src/config.ts only;
// this file only reads the API's origin for the preconnect hint.
export default defineConfig(({ mode }) => ({
  plugins: [svelte(), preconnectApi(loadEnv(mode, process.cwd(), "VITE_").VITE_API_URL || "http://127.0.0.1:8000/api/v1")],
  resolve: {
    alias: { src: fileURLToPath(new URL("./src", import.meta.url)) },
  },
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    // With VITE_API_URL=/api/v1 the dev server forwards API calls to the Django dev server (no CORS needed).
    proxy: { "/api": "http://127.0.0.1:8000" },
  },
  build: {
    target: "es2022",
    // .vite/manifest.json tells scripts/size.mjs which chunks the entry loads up front.
    manifest: true,
    // Fonts and icons stay files (cacheable, loaded only when used) instead of base64 inside the CSS.
    assetsInlineLimit: 0,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
  },
}));
