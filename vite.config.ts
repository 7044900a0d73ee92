import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import {
  devPolicyText,
  headersFileProblems,
  ISOLATION_HEADERS,
  metaPolicyOf,
  metaPolicyText,
  productionHeaders,
  withoutMetaPolicy,
} from './scripts/lib/security-headers.ts';

/** React Fast Refresh's inline preamble in the dev page, allowed by its hash (exactly what plugin-react injects). */
const refreshPreambleHash = `sha256-${createHash('sha256').update(react.preambleCode.replace('__BASE__', '/')).digest('base64')}`;

/**
 * The policy's two static copies: the build stops when public/_headers (for hosts that send
 * headers) or index.html's <meta> (for hosts that don't) disagrees with scripts/lib/security-headers.ts.
 * The dev server drops the <meta>: its header carries the dev policy, which adds React Fast
 * Refresh's inline preamble (two policies would each have to allow it).
 */
function contentSecurityPolicy(): Plugin {
  let building = false;
  return {
    name: 'vae:content-security-policy',
    configResolved(config) {
      building = config.command === 'build';
    },
    async buildStart() {
      if (!building) return;
      const file = fileURLToPath(new URL('./public/_headers', import.meta.url));
      const problems = headersFileProblems(await readFile(file, 'utf8').catch(() => ''));
      if (problems.length > 0) this.error(problems.join(' '));
    },
    transformIndexHtml(html, ctx) {
      if (ctx.server) return withoutMetaPolicy(html);
      if (metaPolicyOf(html) !== metaPolicyText()) {
        throw new Error(`index.html should carry <meta http-equiv="Content-Security-Policy" content="${metaPolicyText()}" />.`);
      }
      return html;
    },
  };
}

export default defineConfig({
  plugins: [react(), contentSecurityPolicy()],
  server: { headers: { ...ISOLATION_HEADERS, 'Content-Security-Policy': devPolicyText([refreshPreambleHash]) } },
  preview: { headers: productionHeaders() },
  worker: {
    format: 'es',
    // Not minified: tfjs' threaded wasm backend starts its threads from the *source text* of its
    // Emscripten factory, which a minifier breaks (it renames the `_scriptDir` the text refers to).
    rolldownOptions: { output: { minify: 'dce-only' } },
  },
  // plotly.js' source modules (the partial bundle imports them) refer to Node's `global`.
  define: { global: 'globalThis' },
  resolve: {
    // typedarray-pool (under Plotly's gl-text) imports Node's `buffer`, which Vite would leave out with
    // a warning ("externalized for browser compatibility"); src/shims/node-buffer.ts answers what it asks.
    alias: [{ find: /^buffer$/, replacement: fileURLToPath(new URL('./src/shims/node-buffer.ts', import.meta.url)) }],
  },
  optimizeDeps: {
    // Imported by the training worker only, these were found after the first page load in dev, which
    // then reloaded itself once ("optimized dependencies changed"); listed, they are prepared at start.
    include: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-core/dist/register_all_gradients',
      '@tensorflow/tfjs-layers',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-webgl',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgpu',
    ],
  },
  build: {
    // The page needs one large library whole: Plotly (most of the 1.65 MB vendor chunk, though Plot.tsx
    // imports only the scatter traces). It sits in a chunk of its own below, apart from the app's code,
    // so a new build of the app leaves it cached; the limit is just above it and still flags anything
    // larger. tfjs runs in the training worker only (the page decodes in plain JavaScript); were the page
    // to import it again (through src/core/tf.ts, e.g. from src/core/ops rather than
    // src/core/ops/training-ops: about 220 kB gzipped), the `tfjs` group keeps it apart too. (The
    // worker's 3.2 MB is one file on purpose, unminified: see `worker` above.)
    chunkSizeWarningLimit: 1800,
    rolldownOptions: {
      // Timing notes on the build itself (the worker's bundle is built inside one plugin call) are not warnings.
      checks: { bundlerTimings: false },
      onLog(level, log, handler) {
        // bit-twiddle (under Plotly) starts with the typo "use restrict", a directive that means nothing either way.
        if (log.code === 'MODULE_LEVEL_DIRECTIVE' && /bit-twiddle/.test(`${log.id ?? ''} ${log.message}`)) return;
        handler(level, log);
      },
      output: {
        codeSplitting: {
          groups: [
            { name: 'tfjs', test: /node_modules[\\/]@tensorflow[\\/]tfjs-(core|layers|backend-cpu|backend-webgl|converter|data)[\\/]/ },
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: 'vendor', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
});
