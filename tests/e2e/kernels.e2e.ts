/**
 * The kernel helper thread (src/core/accelerator/helper-thread.ts) in real Chromium: it only exists in a
 * cross-origin-isolated worker on the threaded wasm build, so Node's unit tests cannot reach it.
 * Splitting a kernel's rows or examples between two threads runs the same arithmetic on the same
 * data, so training from one seed must give the very same losses with and without it.
 */
import { cpus } from 'node:os';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, inject, test } from 'vitest';
import type { HelperCheckRequest, HelperCheckResult } from '../../bench/browser/protocol';
import { launchChromium, openPage } from './support/browser';

const appUrl = inject('appUrl');
let browser: Browser | null = null;

afterAll(async () => {
  await browser?.close();
});

describe('kernel helper thread', () => {
  // The helper starts only with 2 or more cores (src/core/accelerator/helper-thread.ts).
  test.skipIf(cpus().length < 2)('training with it gives the same losses as on one thread, and it really ran jobs', async () => {
    browser = await launchChromium();
    const session = await openPage(browser);
    await session.page.goto(new URL('bench/', appUrl).href);
    await session.page.waitForFunction(() => typeof (window as unknown as { runHelperCheck?: unknown }).runHelperCheck === 'function');
    const request: HelperCheckRequest = { hidden: [400], latent: 20, batch: 128, steps: 20, dataUrl: '/data/mnist/' };
    const result = await session.page.evaluate(
      (req) => (window as unknown as { runHelperCheck(r: HelperCheckRequest): Promise<HelperCheckResult> }).runHelperCheck(req),
      request,
    );
    console.log(`[e2e] ${result.backendLabel}: ${result.helperJobs} helper jobs; total loss ${result.withHelper[0].toFixed(1)} -> ${result.withHelper.at(-1)?.toFixed(1)}`);
    expect(result.backendLabel).toMatch(/wasm \(\d+ threads?/);
    // 3 large products, 2 sparse first-layer products, the loss and 2 Adam updates per step, at least
    expect(result.helperJobs).toBeGreaterThanOrEqual(8 * request.steps);
    expect(result.withHelper).toHaveLength(request.steps);
    expect(result.withHelper.every(Number.isFinite)).toBe(true);
    expect(result.withHelper.at(-1)!).toBeLessThan(result.withHelper[0]); // it learns
    expect(result.withHelper).toEqual(result.withoutHelper);
    expect(result.numTensorsAfter).toBe(result.numTensorsBefore);
    expect(session.unexpectedErrors([/favicon\.ico/])).toEqual([]); // the benchmark page has no icon
  });
});
