import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The dashboard: built from src/web into dist/web, which `ghostwatch serve` serves. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
  },
  oxc: { jsx: { runtime: 'automatic', development: false } },
  // React's production build even when built from a test run (vitest sets NODE_ENV=test).
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
});
