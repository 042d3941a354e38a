// The console's build: root apps/console, output dist/console at the repository root, which the manager serves
// (apps/manager/src/console/console-static.ts). No inline script or style is emitted, so the manager's strict CSP
// holds. JSX goes through Vite's own transform (oxc), without @vitejs/plugin-react (no fast refresh needed).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Never inline assets as data: URIs into scripts or styles; files keep hashed names.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: true,
    rolldownOptions: {
      // Libraries mark modules "use client" for React Server Components; a client-only bundle ignores it.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    // `npm run dev:console` proxies the API to a running manager (local mode: 127.0.0.1:8080).
    proxy: { '/api': { target: process.env.KEELSON_API ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
