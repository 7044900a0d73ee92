/**
 * Builds the browser benchmark page (bench/browser/index.html) into dist/bench/, next to the app's
 * production build, so one `vite preview` (cross-origin isolated) serves both. The app build is
 * untouched: this is a separate config, run after `vite build`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/bench/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/bench', import.meta.url)),
    emptyOutDir: true,
    // Same reason as the app's worker: tfjs' threaded wasm backend starts its threads from the
    // source text of its Emscripten factory, which minification breaks.
    minify: false,
    chunkSizeWarningLimit: 10_000,
  },
  worker: { format: 'es', rolldownOptions: { output: { minify: 'dce-only' } } },
});
