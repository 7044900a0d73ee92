import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** Cross-origin isolation: lets the tfjs wasm backend use threads (SharedArrayBuffer). */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  worker: {
    format: 'es',
    // Not minified: tfjs' threaded wasm backend starts its threads from the *source text* of its
    // Emscripten factory, which a minifier breaks (it renames the `_scriptDir` the text refers to).
    rolldownOptions: { output: { minify: 'dce-only' } },
  },
  // plotly.js' source modules (the partial bundle imports them) refer to Node's `global`.
  define: { global: 'globalThis' },
});
