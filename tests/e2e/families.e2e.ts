/**
 * The convolutional and the conditional VAE in real Chromium on wasm (issue 12.6): `?arch=conv` and
 * `?conditional=1` start fresh weights of that kind and train 100 steps each with the loss falling;
 * the decoded digit (decoded in the worker) is drawn; a CVAE shows its note, its class row, and a
 * chosen class changes the decoded digit. Dragged while it trains, a conv model's point is decoded by
 * the decoder worker's copy (issue 12.3; its latency is the bench's, bench/decode-latency.ts).
 */
import type { Browser } from 'playwright-core';
import { afterEach, describe, expect, inject, test } from 'vitest';
import { dataAt, headTailMeans, inkStats, latentFrame, lossSeries, meanAbsDiff, openApp, pauseTraining, pointIn, readStatus, readZ, startTraining, waitForCanvas, waitForStep } from './support/app';
import { launchChromium, openPage } from './support/browser';

const appUrl = inject('appUrl');
let browser: Browser | null = null;

afterEach(async () => {
  await browser?.close();
  browser = null;
});

describe.each([
  // A conv step costs far more than an MLP step on two CPU cores: small batches, and time to spare.
  { name: 'conv', query: '?arch=conv&batch=16&backend=wasm' },
  { name: 'conditional', query: '?conditional=1&backend=wasm' },
])('$query', ({ name, query }) => {
  test(`a fresh ${name} VAE trains 100 steps on wasm and the loss falls`, { timeout: 600_000 }, async () => {
    browser = await launchChromium();
    const session = await openPage(browser);
    const { page } = session;
    await openApp(page, appUrl, query);
    expect(new URL(page.url()).search).toContain(name === 'conv' ? 'arch=conv' : 'conditional=1');
    const before = await readStatus(page);
    expect(before.backend.toLowerCase()).toContain('wasm');
    await startTraining(page);
    const status = await waitForStep(page, before.step + 100, 540_000);
    if (name === 'conv') {
      // A drag while it trains: the decoder worker's copy decodes the points, and the digit under the pointer is drawn.
      const copy = page.workers().find((w) => /decoder\.worker/.test(w.url()));
      expect(copy, 'the decoder worker runs beside the training worker').toBeDefined();
      const decodes = () => copy!.evaluate(() => (globalThis as unknown as { __decoderCopy: { decodeMs: number[] } }).__decoderCopy.decodeMs.splice(0).length);
      await decodes();
      const frame = await latentFrame(page);
      const [x0, y0] = pointIn(frame, 0.3, 0.35);
      const [x1, y1] = pointIn(frame, 0.65, 0.6);
      await page.mouse.move(x0, y0);
      await page.mouse.down();
      for (let i = 1; i <= 20; i++) await page.mouse.move(x0 + ((x1 - x0) * i) / 20, y0 + ((y1 - y0) * i) / 20);
      await page.mouse.up();
      const end = dataAt(frame, x1, y1);
      await expect.poll(async () => (await readZ(page)).map((v, k) => Math.abs(v - end[k]) < 0.05)).toEqual([true, true]);
      expect(await decodes()).toBeGreaterThan(0);
      expect((await readStatus(page)).text).toMatch(/examples\/s/);
      const stats = inkStats(await waitForCanvas(page, 'decoded-digit'));
      expect(stats.std).toBeGreaterThan(5); // a drawing, not a blank canvas
    }
    await pauseTraining(page);
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="loss-chart"]') as (HTMLElement & { data?: { name?: string; x?: ArrayLike<number> }[] }) | null;
      return (el?.data?.find((t) => t.name === 'total (raw)')?.x?.length ?? 0) >= 50;
    }, undefined, { timeout: 30_000 });
    const { values } = await lossSeries(page, 'total');
    const { head, tail } = headTailMeans(values, 10);
    console.log(`[e2e] ${name}: ${status.text}; total loss ${head.toFixed(1)} -> ${tail.toFixed(1)}`);
    expect(values.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    expect(tail).toBeLessThan(head - 50);
    const digit = await waitForCanvas(page, 'decoded-digit');
    if (name === 'conditional') {
      await expect.poll(() => page.getByTestId('conditional-note').isVisible()).toBe(true);
      expect(await page.getByTestId('class-row').locator('canvas').count()).toBe(10);
      await page.getByTestId('decode-class').selectOption('7');
      await waitForCanvas(page, 'decoded-digit', { differentFrom: digit });
      expect(meanAbsDiff(digit, await waitForCanvas(page, 'decoded-digit'))).toBeGreaterThan(1);
    }
    expect(session.unexpectedErrors()).toEqual([]);
  });
});
