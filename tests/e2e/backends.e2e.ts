/**
 * Forced backends train: `?backend=wasm` and `?backend=webgl` (WebGL 2 through SwiftShader, which
 * a forced webgl accepts), each with the default training ops and with `?kernels=stock` (plain tfjs
 * instead of the wasm accelerator), and the 16-D convolutional VAE on webgl. Each gets a fresh browser; the status names the backend in use,
 * and on wasm the kernels.
 */
import type { Browser } from 'playwright-core';
import { afterEach, describe, expect, inject, test } from 'vitest';
import { lossSeries, openApp, pauseTraining, readStatus, startTraining, waitForStep } from './support/app';
import { launchChromium, openPage, SOFTWARE_WEBGL_ARGS } from './support/browser';

const appUrl = inject('appUrl');
let browser: Browser | null = null;

afterEach(async () => {
  await browser?.close();
  browser = null;
});

describe.each([
  { backend: 'wasm', kernels: '', model: '', args: [] as string[], steps: 50 },
  { backend: 'wasm', kernels: 'stock', model: '', args: [] as string[], steps: 20 },
  { backend: 'webgl', kernels: '', model: '', args: SOFTWARE_WEBGL_ARGS, steps: 15 },
  { backend: 'webgl', kernels: 'stock', model: '', args: SOFTWARE_WEBGL_ARGS, steps: 10 },
  // The convolutional VAE on webgl (its transposed convolution once needed a rank-6 pad, which webgl cannot compile).
  { backend: 'webgl', kernels: '', model: '&arch=conv&latent=16&batch=16', args: SOFTWARE_WEBGL_ARGS, steps: 5 },
])('?backend=$backend&kernels=$kernels$model', ({ backend, kernels, model, args, steps }) => {
  test(`trains on ${backend}${kernels ? ` with ${kernels} kernels` : ''}${model ? ` (${model.slice(1)})` : ''}`, { timeout: 300_000 }, async () => {
    browser = await launchChromium(args);
    const session = await openPage(browser);
    // The conv model's first manifold (225 decodings on SwiftShader) can take a minute on a busy machine.
    await openApp(session.page, appUrl, `?backend=${backend}${kernels ? `&kernels=${kernels}` : ''}${model}`, 240_000);
    const before = await readStatus(session.page);
    expect(before.backend.toLowerCase()).toContain(backend);
    // On wasm the status says when the stock kernels run instead of the accelerator's.
    if (backend === 'wasm') expect(before.backend.includes('stock kernels')).toBe(kernels === 'stock');
    await startTraining(session.page);
    const status = await waitForStep(session.page, before.step + steps, 240_000);
    await pauseTraining(session.page, { settled: false }); // only the losses are read: no need to wait out a display in flight
    await session.page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="loss-chart"]') as (HTMLElement & { data?: { name?: string; x?: ArrayLike<number> }[] }) | null;
      return (el?.data?.find((t) => t.name === 'total (raw)')?.x?.length ?? 0) >= 10;
    }, undefined, { timeout: 30_000 });
    const { values } = await lossSeries(session.page, 'total');
    console.log(`[e2e] ${backend}${kernels ? ` (${kernels} kernels)` : ''}: ${status.text}; last total loss ${values.at(-1)?.toFixed(1)}`);
    expect(values.length).toBeGreaterThanOrEqual(10);
    expect(values.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    expect(session.unexpectedErrors()).toEqual([]);
  });
});
