/**
 * A dead server (DESIGN.md §2 ids `weights-url`, `load-weights`, `error`, and the panel's `cancel-load`):
 * a local server on another origin that sends its headers and then nothing, forever. With
 * `?model=` on it the bundled model opens first and stays, with one plain sentence in `role=alert`
 * once the 15 s stall limit passes; Load on it can be cancelled; left alone it ends in the same sentence;
 * `?data=` on it offers "Use built-in MNIST", which stops the download at once.
 * The app runs with its real limits (core/net/download.ts), so this file takes about a minute.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { decodingsAt, looksLikeDigits, canvasPixels, meanAbsDiff, openApp, waitForCanvas } from './support/app';
import { launchChromium, openPage, type WatchedPage } from './support/browser';
import { freePort } from './support/servers';

const appUrl = inject('appUrl');
/** Latent points where decodings are compared. */
const POINTS = [
  [0, 0],
  [1.2, -0.8],
];
/** The app's stall limit (core/net/download.ts DEFAULT_LIMITS), and the slack a busy machine needs. */
const STALL_S = 15;

/** The stalling server: every GET gets headers (CORS, CORP: the page is cross-origin isolated), then nothing. */
interface StallServer {
  url: string;
  /** Paths requested so far. */
  requests: string[];
  /** Responses the server still holds open (the page has not let go of them). */
  open: Set<ServerResponse>;
  close(): Promise<void>;
}

async function startStallServer(): Promise<StallServer> {
  const requests: string[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    requests.push(new URL(req.url ?? '/', 'http://x').pathname);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET', 'Access-Control-Allow-Headers': '*' }).end();
      return;
    }
    open.add(res);
    res.on('close', () => open.delete(res));
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 4096, 'Cache-Control': 'no-store' });
    res.flushHeaders();
  });
  const port = await freePort();
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done());
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    open,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

let browser: Browser;
let session: WatchedPage;
let stall: StallServer;
let bundled: number[][] = [];

const same = (a: number[][], b: number[][]) => a.reduce((s, img, i) => Math.max(s, meanAbsDiff(img, b[i])), 0);
/** The plain sentence for `path` on the stalling server. */
const stallSentence = (path: string) =>
  new RegExp(`^The server at ${new URL(path, stall.url).href.replace(/[.]/g, '\\.')} (sent nothing for ${STALL_S} s|did not answer within ${STALL_S} s); the download was stopped\\.$`);

beforeAll(async () => {
  stall = await startStallServer();
  browser = await launchChromium();
  session = await openPage(browser);
});

afterAll(async () => {
  await session?.close();
  await browser?.close();
  await stall?.close();
});

async function errorText(): Promise<string> {
  return (await session.page.getByTestId('error').locator('span').innerText()).trim();
}

async function enabled(testId: string): Promise<boolean> {
  return session.page.getByTestId(testId).isEnabled();
}

describe('a server that sends headers and then nothing', () => {
  test('?model= on it: the bundled model opens first and stays; one plain sentence within seconds of the limit', async () => {
    const { page } = session;
    const started = Date.now();
    const modelPath = 'start/vae.json';
    await openApp(page, appUrl, `?model=${encodeURIComponent(new URL(modelPath, stall.url).href)}`);
    await waitForCanvas(page, 'manifold', { digits: true, timeout: 30_000 });
    expect(await page.locator('.model-origin').innerText()).toBe('the bundled model');
    bundled = await decodingsAt(page, POINTS);
    expect(stall.requests).toContain('/start/vae.json');

    const error = page.getByTestId('error');
    await error.waitFor({ state: 'visible', timeout: (STALL_S + 20) * 1000 });
    const seconds = (Date.now() - started) / 1000;
    const message = await errorText();
    console.log(`[e2e] ?model= on a stalling server: "${message}" after ${seconds.toFixed(1)} s`);
    expect(message).toMatch(stallSentence(modelPath));
    expect(await error.getAttribute('role')).toBe('alert');
    expect(seconds).toBeLessThan(STALL_S + 15);

    // Everything is still there and usable.
    expect(await page.locator('.model-origin').innerText()).toBe('the bundled model');
    expect(looksLikeDigits((await canvasPixels(page, 'manifold')).gray)).toBe(true);
    expect(same(await decodingsAt(page, POINTS), bundled)).toBeLessThan(0.5);
    for (const id of ['train-toggle', 'reset-button', 'load-weights', 'save-weights']) expect(await enabled(id), id).toBe(true);
    expect(await page.getByTestId('cancel-load').count()).toBe(0);
    expect(page.url()).not.toContain('model='); // a reload opens the bundled model, not the dead server again
    await expect.poll(() => stall.open.size, { timeout: 5_000 }).toBe(0); // the page let go of the connection
    await page.getByRole('button', { name: 'Dismiss the error' }).click();
  });

  test('Load on it, then Cancel: the panel is idle again at once and the model unchanged', async () => {
    const { page } = session;
    await page.getByTestId('weights-url').fill(new URL('button/vae.json', stall.url).href);
    await page.getByTestId('load-weights').click();
    await page.getByTestId('cancel-load').waitFor({ state: 'visible', timeout: 5_000 });
    await expect.poll(() => stall.requests.includes('/button/vae.json'), { timeout: 5_000 }).toBe(true);
    expect(await enabled('load-weights')).toBe(false);
    await page.getByTestId('cancel-load').click();
    await page.waitForSelector('[data-testid="load-weights"]:not([disabled])', { timeout: 5_000 });
    expect(await page.getByTestId('cancel-load').count()).toBe(0);
    expect(await page.getByLabel('weights download').count()).toBe(0);
    expect(await page.locator('.weights-note').innerText()).toMatch(/cancelled; the current model stays/);
    await expect.poll(() => stall.open.size, { timeout: 5_000 }).toBe(0); // the worker's fetch was aborted
    await page.waitForTimeout(500);
    expect(await page.getByTestId('error').count()).toBe(0);
    expect(await page.locator('.model-origin').innerText()).toBe('the bundled model');
    expect(same(await decodingsAt(page, POINTS), bundled)).toBeLessThan(0.5);
  });

  test('Load on it, left alone: the same sentence after the stall limit, and the model unchanged', async () => {
    const { page } = session;
    const path = 'waited/vae.json';
    await page.getByTestId('weights-url').fill(new URL(path, stall.url).href);
    const started = Date.now();
    await page.getByTestId('load-weights').click();
    await page.getByTestId('error').waitFor({ state: 'visible', timeout: (STALL_S + 15) * 1000 });
    const seconds = (Date.now() - started) / 1000;
    console.log(`[e2e] Load on a stalling server: error after ${seconds.toFixed(1)} s`);
    expect(await errorText()).toMatch(stallSentence(path));
    expect(seconds).toBeGreaterThanOrEqual(STALL_S - 1);
    expect(seconds).toBeLessThan(STALL_S + 10);
    await page.waitForSelector('[data-testid="load-weights"]:not([disabled])', { timeout: 5_000 });
    expect(await page.getByTestId('cancel-load').count()).toBe(0);
    expect(same(await decodingsAt(page, POINTS), bundled)).toBeLessThan(0.5);
    expect(session.unexpectedErrors()).toEqual([]);
  });

  test('?data= on it: "Use built-in MNIST" stops the download at once; one sentence, and the app trains on MNIST', async () => {
    const other = await openPage(browser);
    const { page } = other;
    await page.goto(new URL(`?data=${encodeURIComponent(new URL('slow-data/', stall.url).href)}`, appUrl).href);
    const skip = page.getByTestId('skip-dataset');
    await skip.waitFor({ state: 'visible', timeout: 30_000 });
    await expect.poll(() => stall.requests.some((p) => p.startsWith('/slow-data/')), { timeout: 5_000 }).toBe(true);
    expect(await page.getByTestId('train-toggle').isDisabled()).toBe(true); // waiting on the dataset
    await skip.click();
    await page.waitForSelector('[data-testid="train-toggle"]:not([disabled])', { timeout: 30_000 });
    // The person's skip, not the stall limit's "did not answer within 15 s".
    expect((await page.getByTestId('error').locator('span').innerText()).trim()).toMatch(
      /^The download of the dataset at http:\/\/127\.0\.0\.1:\d+\/slow-data\/? was stopped\. The built-in MNIST is used instead\.$/,
    );
    expect(await page.getByTestId('skip-dataset').count()).toBe(0);
    await expect.poll(() => stall.open.size, { timeout: 5_000 }).toBe(0); // the worker let go of the connections
    await page.getByTestId('step-button').click();
    await expect.poll(async () => (await page.getByTestId('status').innerText()).replace(/\s+/g, ' '), { timeout: 30_000 }).toMatch(/step 1\b/);
    expect(other.unexpectedErrors()).toEqual([]);
    await other.close();
  });
});
