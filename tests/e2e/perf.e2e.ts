/**
 * The main thread while training: no task longer than 50 ms in a window of 10 s of training (a
 * PerformanceObserver for 'longtask' installed before the app's first script), and a drag across
 * the latent plot decoded within a frame (reported; the budget is checked by `npm run bench`).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { clearLongTasks, latentFrame, longTasks, openApp, pauseTraining, readStatus, startTraining, waitForCanvas, waitForStep } from './support/app';
import { launchChromium, openPage, type WatchedPage } from './support/browser';

const appUrl = inject('appUrl');
let browser: Browser;
let session: WatchedPage;

beforeAll(async () => {
  browser = await launchChromium();
  session = await openPage(browser);
  await openApp(session.page, appUrl);
  await waitForCanvas(session.page, 'manifold', { timeout: 30_000 });
});

afterAll(async () => {
  await session?.close();
  await browser?.close();
});

/** One 10-second window of training with a 1-second drag; returns the long tasks seen and what was measured. */
async function trainingWindow(page: WatchedPage['page']) {
  await clearLongTasks(page);
  const started = Date.now();
  // A person drags the latent point around for a second of the ten.
  await page.waitForTimeout(4_000);
  const frame = await latentFrame(page);
  const cx = frame.left + frame.width / 2;
  const cy = frame.top + frame.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  for (let i = 0; i <= 60; i++) {
    await page.mouse.move(cx + Math.cos(i / 8) * frame.width * 0.3, cy + Math.sin(i / 8) * frame.height * 0.3);
    await page.waitForTimeout(16);
  }
  await page.mouse.up();
  await page.waitForTimeout(Math.max(0, 10_000 - (Date.now() - started)));
  const tasks = (await longTasks(page)).map((t) => Math.round(t.duration));
  const status = await readStatus(page);
  const decode = await page.evaluate(() => {
    const p = (window as unknown as { __vaePerf?: { decodeLatency: number[]; p95(v: number[]): number } }).__vaePerf;
    return p ? { count: p.decodeLatency.length, p95: p.p95(p.decodeLatency) } : null;
  });
  console.log(
    `[e2e] 10 s of training to step ${status.step} at ${status.examplesPerSecond} examples/s (${status.backend}): ` +
      `${tasks.length} long tasks ${JSON.stringify(tasks)}; decode latency p95 ${decode?.p95?.toFixed(1)} ms over ${decode?.count} decodes`,
  );
  return { tasks, status };
}

/**
 * The machine is shared: a neighbour can stall any process for a moment. A page that stutters does it
 * in every window (before the quiet gate: 2-6 long tasks in each); a window with none passes. At most
 * three windows.
 */
test('no main-thread task over 50 ms during 10 s of training (with a drag in the latent plot)', async () => {
  const { page } = session;
  await startTraining(page);
  await waitForStep(page, 10, 60_000);
  const windows: number[][] = [];
  let last = 0;
  for (let i = 0; i < 3; i++) {
    const { tasks, status } = await trainingWindow(page);
    expect(status.step).toBeGreaterThan(last);
    last = status.step;
    windows.push(tasks);
    if (tasks.length === 0) break;
  }
  await pauseTraining(page);
  expect(windows.at(-1)).toEqual([]);
});

test('no console errors', () => {
  expect(session.unexpectedErrors()).toEqual([]);
});
