/**
 * The Content-Security-Policy (scripts/lib/security-headers.ts) against the real production build:
 * `vite preview` sends it on every response (the page's and each worker script's), the built
 * index.html and _headers carry their copies, and under it the app starts, trains on the threaded
 * wasm backend, draws its charts and loads weights from another origin with no violation; the
 * benchmark page built beside the app starts under it too.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, ConsoleMessage, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { headersFileProblems, ISOLATION_HEADERS, metaPolicyOf, metaPolicyText, policyText } from '../../scripts/lib/security-headers';
import { openApp, pauseTraining, readStatus, scatterPointCount, startTraining, waitForCanvas, waitForLossSeries, waitForStep } from './support/app';
import { launchChromium, openPage, type WatchedPage } from './support/browser';

const appUrl = inject('appUrl');
const weightsUrl = inject('weightsUrl');
const outDir = inject('outDir');

/** What a page and its workers report about the policy. */
interface CspLog {
  /** Console messages of the page or a worker that name the policy. */
  console: string[];
  /** The training worker, where `securitypolicyviolation` listeners were added when it started. */
  workers: Worker[];
}

const CSP_MESSAGE = /Content[ -]Security[ -]Policy|Refused to (load|execute|evaluate|compile|create|connect|apply|frame)/i;

/** Records, from the first script on, every `securitypolicyviolation` of the document into `window.__csp`. */
async function watchPolicy(session: WatchedPage): Promise<CspLog> {
  const log: CspLog = { console: [], workers: [] };
  const note = (where: string) => (m: ConsoleMessage) => {
    if (CSP_MESSAGE.test(m.text())) log.console.push(`${where}: ${m.text()}`);
  };
  session.page.on('console', note('page'));
  session.page.on('worker', (worker) => {
    worker.on('console', note(`worker ${worker.url()}`));
    // Workers have policies of their own (from their script's response); their events stay in them.
    // Only the training worker is asked: tfjs' thread workers may sit in Atomics.wait.
    if (worker.url().startsWith('blob:')) return;
    log.workers.push(worker);
    void worker
      .evaluate(() => {
        const scope = self as unknown as { __csp: string[] };
        scope.__csp = [];
        self.addEventListener('securitypolicyviolation', (e) => scope.__csp.push(`${e.effectiveDirective} ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));
      })
      .catch(() => undefined);
  });
  await session.page.addInitScript(() => {
    const log: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = log;
    document.addEventListener('securitypolicyviolation', (e) => log.push(`${e.effectiveDirective} ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));
  });
  return log;
}

/** Violations seen by the page's document and by the watched workers still running. */
async function violations(page: Page, log: CspLog): Promise<string[]> {
  const seen = await page.evaluate(() => [...(window as unknown as { __csp: string[] }).__csp]);
  for (const worker of log.workers) {
    if (!page.workers().includes(worker)) continue;
    seen.push(...(await worker.evaluate(() => [...((self as unknown as { __csp?: string[] }).__csp ?? [])])));
  }
  return seen;
}

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('Content-Security-Policy', () => {
  test('vite preview sends the policy and cross-origin isolation with the page', async () => {
    const response = await fetch(appUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(policyText());
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) expect(response.headers.get(name)).toBe(value);
    const policy = policyText();
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("base-uri 'self'");
    expect(policy).not.toMatch(/'unsafe-eval'/);
  });

  test('the build carries its static copies: index.html <meta> (less header-only parts) and _headers', async () => {
    const html = await readFile(join(outDir, 'index.html'), 'utf8');
    expect(metaPolicyOf(html)).toBe(metaPolicyText());
    expect(metaPolicyText()).not.toContain('frame-ancestors');
    // The meta comes before any script, so it governs them all.
    expect(html.indexOf('http-equiv="Content-Security-Policy"')).toBeLessThan(html.indexOf('<script'));
    const headersFile = await readFile(join(outDir, '_headers'), 'utf8');
    expect(headersFileProblems(headersFile)).toEqual([]);
    // ...and the check the build runs on it notices a copy that drifted.
    const drifted = headersFile.replace("object-src 'none'", "object-src 'self'");
    expect(headersFileProblems(drifted)).toEqual([expect.stringMatching(/^public\/_headers should set, under \/\*, "  Content-Security-Policy: /)]);
  });

  test('the app starts, trains, draws its charts and loads cross-origin weights with no violation', async () => {
    const session = await openPage(browser);
    const log = await watchPolicy(session);
    const { page } = session;
    try {
      await openApp(page, appUrl);
      await waitForCanvas(page, 'manifold', { digits: true, timeout: 60_000 });

      await startTraining(page);
      await waitForStep(page, 20);
      await page.waitForFunction(() => {
        const el = document.querySelector('[data-testid="latent-plot"]') as (HTMLElement & { data?: { x?: ArrayLike<number> }[] }) | null;
        return (el?.data ?? []).some((t) => (t.x?.length ?? 0) > 1);
      });
      await pauseTraining(page);
      expect(await scatterPointCount(page)).toBeGreaterThan(100); // the scattergl traces drew (WebGL, no Function())
      expect((await waitForLossSeries(page, 1)).values.length).toBeGreaterThan(0); // the loss chart redraws after the status moved on
      // The threaded wasm backend started: wasm compiled, blob threads ran, their importScripts loaded.
      expect((await readStatus(page)).backend).toMatch(/wasm \(\d+ threads?/);

      const workerScript = session.requests.find((url) => /\/assets\/training\.worker-[^/]+\.js$/.test(url));
      expect(workerScript, 'the training worker script was requested').toBeDefined();
      expect((await fetch(workerScript!)).headers.get('content-security-policy')).toBe(policyText());

      await fetch(new URL('__requests', weightsUrl), { method: 'DELETE' });
      await page.getByTestId('weights-url').fill(new URL('mnist-2d/vae.json', weightsUrl).href);
      await page.getByTestId('load-weights').click();
      await page.waitForSelector('[data-testid="load-weights"]:not([disabled])');
      await waitForCanvas(page, 'manifold', { digits: true, timeout: 30_000 });
      expect(await page.getByTestId('error').count()).toBe(0);
      const served = (await fetch(new URL('__requests', weightsUrl)).then((r) => r.json())) as string[];
      expect(served).toContain('/mnist-2d/vae.json');

      expect(log.workers.length, 'the training worker was watched').toBeGreaterThan(0);
      expect(await violations(page, log)).toEqual([]);
      expect(log.console).toEqual([]);
      expect(session.unexpectedErrors()).toEqual([]);
    } finally {
      await session.close();
    }
  });

  test('the benchmark page built beside the app starts under the same policy', async () => {
    const session = await openPage(browser);
    const log = await watchPolicy(session);
    const { page } = session;
    try {
      const response = await page.goto(new URL('bench/', appUrl).href);
      expect(response?.headers()['content-security-policy']).toBe(policyText());
      await page.waitForFunction(() => typeof (window as unknown as { runHelperCheck?: unknown }).runHelperCheck === 'function');
      expect(await violations(page, log)).toEqual([]);
      expect(log.console).toEqual([]);
      expect(session.unexpectedErrors([/favicon\.ico/])).toEqual([]); // the benchmark page has no icon
    } finally {
      await session.close();
    }
  });
});
