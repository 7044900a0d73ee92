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
} from './scripts/lib/security-headers';

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
});
