import { fileURLToPath, URL } from "node:url";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

// Build and dev-server settings. The app itself reads its settings (VITE_API_URL) in src/config.ts only.
export default defineConfig({
  plugins: [svelte()],
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
});
