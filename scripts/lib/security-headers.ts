/**
 * The app's security headers in one place: cross-origin isolation and the Content-Security-Policy.
 * vite.config.ts serves them from `vite dev` and `vite preview`; index.html carries the policy's
 * meta-capable part (for hosts that send no headers) and public/_headers all of them (Netlify,
 * Cloudflare Pages). The build refuses either copy when it says something else than this file.
 */

/** Cross-origin isolation: lets the tfjs wasm backend use threads (SharedArrayBuffer). */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

/**
 * Every directive and why it holds what it holds; nothing the production build doesn't need.
 * Checked in headless Chromium against the production build: tests/e2e/csp.e2e.ts.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  // The app's own modules. 'wasm-unsafe-eval' compiles WebAssembly (tfjs' wasm backend and the
  // project's kernels) and nothing else: no eval, no Function(); plotly's scattergl is imported in
  // its precompiled ("strict") form for that. blob: is the script each thread of tfjs' threaded
  // wasm backend loads with importScripts (its Emscripten factory's source, made into a blob).
  'script-src': ["'self'", "'wasm-unsafe-eval'", 'blob:'],
  // The training worker ('self'); tfjs-wasm's threads and the kernel helper thread start from blobs.
  'worker-src': ["'self'", 'blob:'],
  // Weights (`?model=`, the Load box) and datasets (`?data=`) come from addresses a person pastes,
  // on any host, so any http(s) URL may be fetched: what a response can do is limited by CORS and
  // COEP (it must opt in), not by this list. http: is for localhost and LAN servers; an https page
  // can't fetch http anyway (mixed content).
  'connect-src': ["'self'", 'https:', 'http:'],
  // The icon is a data: SVG; Plotly's "download plot" draws its image from data:/blob: URLs.
  'img-src': ["'self'", 'data:', 'blob:'],
  // Plotly adds its stylesheet as a <style> element when it loads and sets style attributes on
  // SVG; its way round that (a static plotly.css and a "no-inline-styles" marker) still leaves
  // parts unstyled (plotly/plotly.js#7543). Styles can't run code.
  'style-src': ["'self'", "'unsafe-inline'"],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  // Header only: a <meta> policy can't carry it.
  'frame-ancestors': ["'none'"],
};

/** Directives a `<meta http-equiv>` policy ignores (Chromium logs an error for each). */
const HEADER_ONLY = new Set(['frame-ancestors', 'report-uri', 'report-to', 'sandbox']);

/** The policy as a header value: `a x y; b z`. */
export function policyText(directives: Readonly<Record<string, readonly string[]>> = CSP_DIRECTIVES): string {
  return Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join('; ');
}

/** The part of the policy a `<meta http-equiv="Content-Security-Policy">` can carry. */
export function metaPolicyText(): string {
  return policyText(Object.fromEntries(Object.entries(CSP_DIRECTIVES).filter(([name]) => !HEADER_ONLY.has(name))));
}

/**
 * The dev server's policy: the same, plus what `vite dev` itself needs: the hashes of its inline
 * scripts (React Fast Refresh's preamble) and inline styles (Vite injects CSS as <style> elements,
 * which style-src's 'unsafe-inline' already allows). Its websocket is same-origin ('self').
 */
export function devPolicyText(inlineScriptHashes: string[]): string {
  const scripts = [...CSP_DIRECTIVES['script-src'], ...inlineScriptHashes.map((h) => `'${h}'`)];
  return policyText({ ...CSP_DIRECTIVES, 'script-src': scripts });
}

/** Every header of the production app, as public/_headers and `vite preview` send them. */
export function productionHeaders(): Record<string, string> {
  return { ...ISOLATION_HEADERS, 'Content-Security-Policy': policyText() };
}

/**
 * What public/_headers (Netlify / Cloudflare Pages format) gets wrong against `productionHeaders`
 * for the `/*` rule: one plain sentence per header, empty when it matches.
 */
export function headersFileProblems(text: string): string[] {
  const found = new Map<string, string>();
  let inAll = false;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      inAll = line.trim() === '/*';
      continue;
    }
    const colon = line.indexOf(':');
    if (inAll && colon > 0) found.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return Object.entries(productionHeaders()).flatMap(([name, value]) => {
    const got = found.get(name.toLowerCase());
    if (got === value) return [];
    return [`public/_headers should set, under /*, "  ${name}: ${value}"${got === undefined ? '' : ` (it has "${got}")`}.`];
  });
}

/** The `<meta http-equiv="Content-Security-Policy">` element of a page (index.html writes it with double quotes). */
const META_ELEMENT = /[ \t]*<meta http-equiv="Content-Security-Policy" content="([^"]*)"\s*\/?>\n?/i;

/** The policy an HTML page's meta element carries, or undefined when it has none. */
export function metaPolicyOf(html: string): string | undefined {
  return META_ELEMENT.exec(html)?.[1];
}

/** The page without its policy meta element. */
export function withoutMetaPolicy(html: string): string {
  return html.replace(META_ELEMENT, '');
}
