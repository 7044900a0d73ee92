/**
 * Debian's Chromium through playwright-core (not the `playwright` package: no bundled browsers),
 * with the launch flags of tests/e2e/screenshot.ts, plus pages that record console errors and
 * main-thread long tasks from the first script on.
 */
import { existsSync, statfsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** The Chromium binary: $CHROMIUM_PATH, $CHROMIUM, or /usr/bin/chromium. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`Chromium not found at ${path}. Install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  return path;
}

/** Flags of tests/e2e/screenshot.ts: headless, no GPU, no background traffic. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Extra flags that give a GPU-less headless Chromium a WebGL 2 context through SwiftShader (so
 * `?backend=webgl` can run); the app still needs tfjs' SOFTWARE_WEBGL_ENABLED, which a forced
 * `?backend=webgl` sets.
 */
export const SOFTWARE_WEBGL_ARGS = ['--enable-unsafe-swiftshader', '--use-angle=swiftshader'];

/** Containers often give /dev/shm 64 MB, where Chromium's renderers crash: use /tmp there. */
function smallShm(): boolean {
  try {
    const fs = statfsSync('/dev/shm');
    return fs.blocks * fs.bsize < 512 * 1024 * 1024;
  } catch {
    return false;
  }
}

/**
 * Starts headless Chromium. $VAE_CHROME_ARGS (flags separated by spaces), when set, replaces
 * `--disable-gpu` with its flags: a real GPU's, e.g. bench/gpu.sh's `--use-angle=vulkan`.
 */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const gpuArgs = process.env.VAE_CHROME_ARGS?.split(/\s+/).filter(Boolean);
  const base = gpuArgs ? [...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'), ...gpuArgs] : CHROMIUM_ARGS;
  const args = [...base, ...(smallShm() ? ['--disable-dev-shm-usage'] : []), ...extraArgs];
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args });
}

/** Console messages that are not errors of the app: Chromium's GL driver performance notes. */
const HARMLESS = [/GL Driver Message \(OpenGL, Performance/i, /GPU stall due to ReadPixels/i];

/** A page with what it logged. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions, in order. */
  errors: string[];
  /** URLs requested by the page and its workers, in order. */
  requests: string[];
  /** Errors not matching `expected` (and not known-harmless). */
  unexpectedErrors(expected?: RegExp[]): string[];
  close(): Promise<void>;
}

/**
 * A page in a fresh context that records console errors, uncaught exceptions (page and workers)
 * and, through an init script, every main-thread long task into `window.__e2eLongTasks`.
 */
export async function openPage(browser: Browser, options: { viewport?: { width: number; height: number }; acceptDownloads?: boolean } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1440, height: 900 }, acceptDownloads: options.acceptDownloads ?? true });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' && !HARMLESS.some((re) => re.test(m.text()))) {
      const where = m.location()?.url ? ` (${m.location().url})` : '';
      errors.push(`console.error: ${m.text()}${where}`);
    }
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('worker', (w) => {
    w.on('console', (m) => {
      if (m.type() === 'error' && !HARMLESS.some((re) => re.test(m.text()))) errors.push(`worker console.error: ${m.text()}`);
    });
  });
  page.on('crash', () => errors.push('the page crashed'));
  // Scripts run through tsx (the benchmarks) wrap named functions in esbuild's `__name` helper,
  // which functions sent to the page then call: give the page a no-op one.
  await page.addInitScript('globalThis.__name ??= (f) => f;');
  await page.addInitScript(() => {
    const log: { start: number; duration: number }[] = [];
    (window as unknown as { __e2eLongTasks: typeof log }).__e2eLongTasks = log;
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) log.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      // no long-task timing here
    }
  });
  return {
    page,
    context,
    errors,
    requests,
    unexpectedErrors: (expected = []) => [...new Set(errors)].filter((e) => !expected.some((re) => re.test(e))),
    close: () => context.close(),
  };
}
