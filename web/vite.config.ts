// The console's build (`vite build web`, so the root is this folder): Preact + TypeScript bundled into web/dist at build
// time; the server serves that folder as is.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Everything the page runs is in these files: no inline script, no module-preload polyfill (the CSP allows 'self' only).
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
    reportCompressedSize: false,
  },
  worker: { format: 'es' },
});
