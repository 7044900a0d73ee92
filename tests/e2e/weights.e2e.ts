/**
 * Weights in and out (DESIGN.md §2, test ids `weights-url`, `load-weights`, `save-weights`): from a
 * URL on a second local server (another origin, CORS + CORP), from a bad URL, at start with
 * `?model=`, and saved as one .zip download then opened again with the file input.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Download } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { canvasPixels, decodingsAt, looksLikeDigits, meanAbsDiff, openApp, pauseTraining, readStatus, resetWeights, startTraining, waitForCanvas, waitForStep } from './support/app';
import { launchChromium, openPage, type WatchedPage } from './support/browser';

const appUrl = inject('appUrl');
const weightsUrl = inject('weightsUrl');
const modelUrl = new URL('mnist-2d/vae.json', weightsUrl).href;
const badUrl = new URL('no-such-model/vae.json', weightsUrl).href;
/** Latent points where decodings are compared. */
const POINTS = [
  [0, 0],
  [1.2, -0.8],
  [-1.5, 1.1],
];
/** The console error Chromium logs for the bad URL's 404 (expected in this file). */
const EXPECTED_ERRORS = [/Failed to load resource: the server responded with a status of 404/];

let browser: Browser;
let session: WatchedPage;
let downloadsDir = '';

async function servedPaths(): Promise<string[]> {
  return (await fetch(new URL('__requests', weightsUrl)).then((r) => r.json())) as string[];
}
async function clearServed(): Promise<void> {
  await fetch(new URL('__requests', weightsUrl), { method: 'DELETE' });
}
const same = (a: number[][], b: number[][]) => a.reduce((s, img, i) => Math.max(s, meanAbsDiff(img, b[i])), 0);

beforeAll(async () => {
  browser = await launchChromium();
  session = await openPage(browser, { acceptDownloads: true });
  downloadsDir = await mkdtemp(join(tmpdir(), 'vae-e2e-downloads-'));
  await openApp(session.page, appUrl);
  await waitForCanvas(session.page, 'manifold', { digits: true, timeout: 30_000 });
});

afterAll(async () => {
  await session?.close();
  await browser?.close();
  if (downloadsDir) await rm(downloadsDir, { recursive: true, force: true });
});

describe('weights', () => {
  let bundled: number[][] = [];

  test('load from a URL on another origin (CORS): the loaded model decodes exactly like the same files bundled', async () => {
    const { page } = session;
    bundled = await decodingsAt(page, POINTS);
    const bundledManifold = (await canvasPixels(page, 'manifold')).gray;
    await resetWeights(page);
    const freshManifold = await waitForCanvas(page, 'manifold', { differentFrom: bundledManifold, timeout: 30_000 });
    expect(looksLikeDigits(freshManifold)).toBe(false);
    const fresh = await decodingsAt(page, POINTS);
    expect(same(fresh, bundled)).toBeGreaterThan(4);

    await clearServed();
    await page.getByTestId('weights-url').fill(modelUrl);
    await page.getByTestId('load-weights').click();
    await waitForCanvas(page, 'manifold', { digits: true, timeout: 30_000 });
    await page.waitForSelector('[data-testid="load-weights"]:not([disabled])');
    expect(await page.getByTestId('error').count()).toBe(0);
    const served = await servedPaths();
    expect(served).toContain('/mnist-2d/vae.json');
    expect(served.some((p) => /encoder\/model\.json$/.test(p))).toBe(true);
    expect(served.some((p) => /decoder\/model\.json$/.test(p))).toBe(true);
    expect(served.some((p) => /\.bin$/.test(p))).toBe(true);
    expect(same(await decodingsAt(page, POINTS), bundled)).toBeLessThan(0.5);
  });

  test('a bad URL: the error is shown in plain words and the previous model still decodes', async () => {
    const { page } = session;
    const before = await decodingsAt(page, POINTS);
    await page.getByTestId('weights-url').fill(badUrl);
    await page.getByTestId('load-weights').click();
    const error = page.getByTestId('error');
    await error.waitFor({ state: 'visible', timeout: 30_000 });
    const message = (await error.innerText()).trim();
    console.log(`[e2e] bad URL error: ${message}`);
    expect(message.length).toBeGreaterThan(10);
    expect(await error.getAttribute('role')).toBe('alert');
    await page.waitForSelector('[data-testid="load-weights"]:not([disabled])');
    expect(same(await decodingsAt(page, POINTS), before)).toBeLessThan(0.5);
    expect(looksLikeDigits((await canvasPixels(page, 'manifold')).gray)).toBe(true);
    await page.getByRole('button', { name: 'Dismiss the error' }).click();
    await expect.poll(() => page.getByTestId('error').count()).toBe(0);
  });

  test('save then load back (one .zip download, then the file input) gives the same decodings', async () => {
    const { page } = session;
    // Train a little so the saved weights are neither the bundled nor fresh ones.
    await startTraining(page);
    await waitForStep(page, (await readStatus(page)).step + 20, 60_000);
    await pauseTraining(page);
    await page.waitForTimeout(500);
    const saved = await decodingsAt(page, POINTS);

    const downloads: Download[] = [];
    const onDownload = (d: Download) => downloads.push(d);
    page.on('download', onDownload);
    await page.getByTestId('save-weights').click();
    // The note appears once every download has been started.
    await page.locator('.weights-note', { hasText: 'Saved ' }).waitFor({ timeout: 60_000 });
    page.off('download', onDownload);
    console.log(`[e2e] saved files: ${downloads.map((d) => d.suggestedFilename()).join(', ')}`);
    expect(downloads.map((d) => d.suggestedFilename())).toEqual([expect.stringMatching(/^mnist-2d-step\d+\.zip$/)]);
    const files = [join(downloadsDir, downloads[0].suggestedFilename())];
    await downloads[0].saveAs(files[0]);

    await resetWeights(page);
    // The worker has put the fresh model in place (the status line changes at once, before it answers).
    await page.waitForFunction(() => /fresh random weights/.test(document.querySelector('.model-origin')?.textContent ?? ''), undefined, { timeout: 30_000 });
    await page.waitForTimeout(500);
    expect(same(await decodingsAt(page, POINTS), saved)).toBeGreaterThan(4);

    const input = page.locator('[data-testid="weights-files"]').or(page.locator('input[type="file"][multiple]')).first();
    await input.setInputFiles(files);
    await waitForCanvas(page, 'manifold', { digits: true, timeout: 30_000 });
    await page.waitForSelector('[data-testid="load-weights"]:not([disabled])');
    expect(await page.getByTestId('error').count()).toBe(0);
    expect(same(await decodingsAt(page, POINTS), saved)).toBeLessThan(0.5);
  });

  test('?model=<URL on another origin> loads those weights at start', async () => {
    const other = await openPage(browser);
    try {
      await clearServed();
      await openApp(other.page, appUrl, `?model=${encodeURIComponent(modelUrl)}`);
      await waitForCanvas(other.page, 'manifold', { digits: true, timeout: 30_000 });
      expect(await other.page.getByTestId('error').count()).toBe(0);
      expect(await servedPaths()).toContain('/mnist-2d/vae.json');
      expect(same(await decodingsAt(other.page, POINTS), bundled)).toBeLessThan(0.5);
      expect(other.unexpectedErrors()).toEqual([]);
    } finally {
      await other.close();
    }
  });

  test('no console errors other than the bad URL’s 404', () => {
    expect(session.unexpectedErrors(EXPECTED_ERRORS)).toEqual([]);
  });
});
