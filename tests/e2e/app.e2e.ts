/**
 * One person's session with the app, in order: the first open (bundled model), pointing in the
 * latent plot, Sample, training from fresh weights, the manifold, Pause and Reset. One page for
 * the whole file (like a person), so each test starts where the previous one left off.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import {
  canvasPixels,
  dataAt,
  decodingsAt,
  headTailMeans,
  inkStats,
  latentFrame,
  lossSeries,
  looksLikeDigits,
  meanAbsDiff,
  openApp,
  pauseTraining,
  readStatus,
  readZ,
  resetWeights,
  scatterPointCount,
  startTraining,
  toggleLabel,
  waitForCanvas,
  waitForStep,
} from './support/app';
import { launchChromium, openPage, type WatchedPage } from './support/browser';

const appUrl = inject('appUrl');
let browser: Browser;
let session: WatchedPage;
/** The manifold of fresh random weights (set by the training test). */
let freshManifold: number[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  session = await openPage(browser);
  const ms = await openApp(session.page, appUrl);
  console.log(`[e2e] app ready (Train enabled) ${ms} ms after navigation`);
});

afterAll(async () => {
  await session?.close();
  await browser?.close();
});

describe('a session with the app', () => {
  test('the first open shows the bundled model: a manifold of digits and the scatter of the test set, before any training', async () => {
    const { page } = session;
    const manifold = await waitForCanvas(page, 'manifold', { digits: true, timeout: 30_000 });
    expect(looksLikeDigits(manifold)).toBe(true);
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="latent-plot"]') as (HTMLElement & { data?: { x?: ArrayLike<number> }[] }) | null;
      return (el?.data ?? []).reduce((s, t) => s + (t.x?.length ?? 0), 0) > 0;
    }, undefined, { timeout: 30_000 });
    expect(await scatterPointCount(page)).toBeGreaterThanOrEqual(1000);
    const status = await readStatus(page);
    expect(status.step).toBe(0);
    expect(await page.getByTestId('error').count()).toBe(0);
    // The weights came from the app's own models/ folder (the bundled model).
    const own = new URL(appUrl).origin;
    expect(session.requests.some((u) => u.startsWith(own) && /\/models\/[^/]+\/vae\.json$/.test(u))).toBe(true);
  });

  test('clicks at two places in the latent plot give two different digits, and data-z is where the click landed', async () => {
    const { page } = session;
    const frame = await latentFrame(page);
    const targets: [number, number][] = [
      [-1.2, -0.9],
      [1.3, 1.0],
    ];
    const digits: number[][] = [];
    for (const [u, v] of targets) {
      const px = frame.left + ((u - frame.x[0]) / (frame.x[1] - frame.x[0])) * frame.width;
      const py = frame.top + ((frame.y[1] - v) / (frame.y[1] - frame.y[0])) * frame.height;
      await page.mouse.click(px, py);
      const expected = dataAt(await latentFrame(page), px, py);
      await page.waitForFunction(
        ([want]) => {
          const z = (document.querySelector('[data-testid="decoded-digit"]')?.getAttribute('data-z') ?? '').split(',').map(Number);
          return Math.abs(z[0] - want[0]) < 0.1 && Math.abs(z[1] - want[1]) < 0.1;
        },
        [expected] as const,
        { timeout: 5_000 },
      );
      const z = await readZ(page);
      // One pixel of the plot in latent units (plus data-z's 3 decimals).
      const tolX = (frame.x[1] - frame.x[0]) / frame.width + 0.002;
      const tolY = (frame.y[1] - frame.y[0]) / frame.height + 0.002;
      expect(Math.abs(z[0] - expected[0])).toBeLessThanOrEqual(tolX);
      expect(Math.abs(z[1] - expected[1])).toBeLessThanOrEqual(tolY);
      digits.push((await canvasPixels(page, 'decoded-digit')).gray);
    }
    expect(digits[0].length).toBe(28 * 28);
    expect(looksLikeDigits(digits[0]) || looksLikeDigits(digits[1])).toBe(true);
    expect(meanAbsDiff(digits[0], digits[1])).toBeGreaterThan(10);
  });

  test('Sample draws a new z and decodes it', async () => {
    const { page } = session;
    const zBefore = await readZ(page);
    const before = (await canvasPixels(page, 'decoded-digit')).gray;
    await page.getByTestId('sample-button').click();
    await page.waitForFunction((prev) => (document.querySelector('[data-testid="decoded-digit"]')?.getAttribute('data-z') ?? '') !== prev, zBefore.map((v) => v.toFixed(3)).join(','));
    const z = await readZ(page);
    expect(z.length).toBe(zBefore.length);
    expect(z.every(Number.isFinite)).toBe(true);
    const after = await waitForCanvas(page, 'decoded-digit', { differentFrom: before, timeout: 5_000 });
    expect(meanAbsDiff(before, after)).toBeGreaterThan(0);
  });

  test('Train from fresh weights: the step count rises and the total loss falls over 200 steps', async () => {
    const { page } = session;
    const bundled = (await canvasPixels(page, 'manifold')).gray;
    await resetWeights(page);
    // Fresh random weights decode to grey noise, not digits.
    freshManifold = await waitForCanvas(page, 'manifold', { differentFrom: bundled, timeout: 30_000 });
    expect(looksLikeDigits(freshManifold)).toBe(false);
    await startTraining(page);
    const early = await waitForStep(page, 30, 60_000);
    const later = await waitForStep(page, early.step + 50, 60_000);
    expect(later.step).toBeGreaterThan(early.step);
    expect(later.text).toMatch(/training/i);
    await page.waitForFunction(() => /[1-9][\d,]*\s+examples\/s/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ''), undefined, { timeout: 10_000 });
    await waitForStep(page, 210, 120_000);
    // The chart updates a few times a second; wait until it holds 200 steps.
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="loss-chart"]') as (HTMLElement & { data?: { name?: string; x?: ArrayLike<number> }[] }) | null;
      return (el?.data?.find((t) => t.name === 'total (raw)')?.x?.length ?? 0) >= 200;
    }, undefined, { timeout: 30_000 });
    await pauseTraining(page);
    const status = await readStatus(page);
    console.log(`[e2e] trained ${status.step} steps; status: ${status.text}`);
    const { steps, values } = await lossSeries(page, 'total');
    expect(values.length).toBeGreaterThanOrEqual(200);
    expect(values.every(Number.isFinite)).toBe(true);
    const upTo200 = values.filter((_, i) => steps[i] < 200);
    const { head, tail } = headTailMeans(upTo200, 20);
    console.log(`[e2e] total loss: mean of the first 20 steps ${head.toFixed(1)}, of steps 180-199 ${tail.toFixed(1)} nats`);
    expect(tail).toBeLessThan(head * 0.85);
  });

  test('the manifold is drawn and follows the training', async () => {
    const { page } = session;
    const trained = await waitForCanvas(page, 'manifold', { differentFrom: freshManifold, timeout: 10_000 });
    const { width, height } = await canvasPixels(page, 'manifold');
    expect(width).toBeGreaterThanOrEqual(28 * 2);
    expect(width).toBe(height);
    // 200 steps from random weights: the grid has gained contrast (strokes on paper) that grey noise lacks.
    const contrast = (g: number[]) => inkStats(g).std;
    console.log(`[e2e] manifold contrast (grey-level std): fresh weights ${contrast(freshManifold).toFixed(1)}, after training ${contrast(trained).toFixed(1)}`);
    expect(contrast(trained)).toBeGreaterThan(contrast(freshManifold) + 5);
  });

  test('Pause stops training', async () => {
    const { page } = session;
    await startTraining(page);
    const running = await readStatus(page);
    await waitForStep(page, running.step + 20, 60_000);
    await pauseTraining(page);
    expect(await toggleLabel(page)).toBe('Train');
    await page.waitForTimeout(500);
    const stopped = (await readStatus(page)).step;
    await page.waitForTimeout(2_500);
    expect((await readStatus(page)).step).toBe(stopped);
  });

  test('Reset gives new random weights: step 0, an empty loss chart, different decodings', async () => {
    const { page } = session;
    const points = [
      [0, 0],
      [1, -1],
    ];
    const before = await decodingsAt(page, points);
    const manifold = (await canvasPixels(page, 'manifold')).gray;
    expect((await readStatus(page)).step).toBeGreaterThan(0);
    await resetWeights(page);
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="loss-chart"]') as (HTMLElement & { data?: { name?: string; x?: ArrayLike<number> }[] }) | null;
      return (el?.data?.find((t) => t.name === 'total (raw)')?.x?.length ?? 0) === 0;
    });
    await waitForCanvas(page, 'manifold', { differentFrom: manifold, timeout: 30_000 });
    await page.waitForTimeout(300);
    const after = await decodingsAt(page, points);
    expect(meanAbsDiff(before[0], after[0]) + meanAbsDiff(before[1], after[1])).toBeGreaterThan(4);
    expect(await toggleLabel(page)).toBe('Train');
  });

  test('no console errors in the whole session', () => {
    expect(session.unexpectedErrors()).toEqual([]);
  });
});
