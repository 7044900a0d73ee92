/**
 * Recovering from what goes wrong: a learning rate that diverges at once (the bundled model comes
 * back, displays included, and trains again at a sane rate), a `?data=` folder that does not exist
 * (the built-in MNIST is used, the page stays usable), a folder with EMNIST's own file names, and a
 * Fashion-MNIST folder whose class names reach a conditional VAE's class picker and the scatter's legend.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { canvasPixels, inkStats, lossSeries, meanAbsDiff, openApp, pauseTraining, readStatus, scatterPointCount, startTraining, waitForCanvas, waitForLossSeries, waitForStep } from './support/app';
import { launchChromium, openPage } from './support/browser';
import { repoRoot, startStaticServer, type RunningServer } from './support/servers';

const appUrl = inject('appUrl');
const weightsUrl = inject('weightsUrl');
/** The 404s Chromium logs while the app looks for a dataset's files (expected in this file). */
const EXPECTED_ERRORS = [/Failed to load resource: the server responded with a status of 404/];

let browser: Browser;
let fixtures: RunningServer;
let fixtureDir = '';

/** Every point of the latent scatter, trace by trace. */
async function scatterPoints(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid="latent-plot"]') as (HTMLElement & { data?: { x?: ArrayLike<number>; y?: ArrayLike<number> }[] }) | null;
    return (el?.data ?? []).flatMap((t) => [...Array.from(t.x ?? [], Number), ...Array.from(t.y ?? [], Number)]);
  });
}

/** Waits until the canvas shows `image` again (mean difference under half a grey level). */
async function waitForImage(page: Page, testId: string, image: number[]): Promise<void> {
  await page.waitForFunction(
    ([sel, want]) => {
      const canvas = document.querySelector(sel as string) as HTMLCanvasElement | null;
      const ctx = canvas && canvas.width > 0 ? canvas.getContext('2d') : null;
      if (!canvas || !ctx) return false;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const w = want as number[];
      if (data.length / 4 !== w.length) return false;
      let diff = 0;
      for (let i = 0; i < w.length; i++) diff += Math.abs((data[4 * i + 3] === 0 ? -1 : Math.round((data[4 * i] + data[4 * i + 1] + data[4 * i + 2]) / 3)) - w[i]);
      return diff / w.length < 0.5;
    },
    [`[data-testid="${testId}"]`, image] as const,
    { timeout: 60_000, polling: 250 },
  );
}

/** The four files of EMNIST's balanced split, named as EMNIST names them: real MNIST digits, stored transposed like EMNIST. */
function writeEmnistFixture(dir: string): void {
  const read = (name: string) => gunzipSync(readFileSync(join(repoRoot, 'public', 'data', 'mnist', `${name}.gz`)));
  const images = read('t10k-images-idx3-ubyte');
  const labels = read('t10k-labels-idx1-ubyte');
  const idx = (dims: number[], data: Uint8Array) => {
    const head = Buffer.alloc(4 + 4 * dims.length);
    head[2] = 8;
    head[3] = dims.length;
    dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
    return gzipSync(Buffer.concat([head, data]));
  };
  const split = (from: number, count: number) => {
    const out = new Uint8Array(count * 784);
    for (let n = 0; n < count; n++) {
      for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) out[n * 784 + c * 28 + r] = images[16 + (from + n) * 784 + r * 28 + c];
    }
    return { images: idx([count, 28, 28], out), labels: idx([count], labels.subarray(8 + from, 8 + from + count)) };
  };
  const train = split(0, 600);
  const test = split(600, 60);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'emnist-balanced-train-images-idx3-ubyte.gz'), train.images);
  writeFileSync(join(dir, 'emnist-balanced-train-labels-idx1-ubyte.gz'), train.labels);
  writeFileSync(join(dir, 'emnist-balanced-test-images-idx3-ubyte.gz'), test.images);
  writeFileSync(join(dir, 'emnist-balanced-test-labels-idx1-ubyte.gz'), test.labels);
}

/** A folder named fashion-mnist with MNIST's own file names (as Fashion-MNIST ships): the first 600 and 60 of MNIST's test digits. */
function writeFashionFixture(dir: string): void {
  const read = (name: string) => gunzipSync(readFileSync(join(repoRoot, 'public', 'data', 'mnist', `${name}.gz`)));
  const images = read('t10k-images-idx3-ubyte');
  const labels = read('t10k-labels-idx1-ubyte');
  const idx = (dims: number[], data: Uint8Array) => {
    const head = Buffer.alloc(4 + 4 * dims.length);
    head[2] = 8;
    head[3] = dims.length;
    dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
    return gzipSync(Buffer.concat([head, data]));
  };
  mkdirSync(dir, { recursive: true });
  const write = (split: string, from: number, count: number) => {
    writeFileSync(join(dir, `${split}-images-idx3-ubyte.gz`), idx([count, 28, 28], images.subarray(16 + from * 784, 16 + (from + count) * 784)));
    writeFileSync(join(dir, `${split}-labels-idx1-ubyte.gz`), idx([count], labels.subarray(8 + from, 8 + from + count)));
  };
  write('train', 0, 600);
  write('t10k', 600, 60);
}

beforeAll(async () => {
  fixtureDir = mkdtempSync(join(tmpdir(), 'vae-e2e-recovery-'));
  writeEmnistFixture(join(fixtureDir, 'emnist'));
  writeFashionFixture(join(fixtureDir, 'fashion-mnist'));
  fixtures = await startStaticServer(fixtureDir); // another origin, with CORS and CORP headers
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await fixtures?.close();
  if (fixtureDir) rmSync(fixtureDir, { recursive: true, force: true });
});

describe('recovery', () => {
  test('?lr=0.5 diverges at once: an alert, the bundled model back in every display, and a sane learning rate then trains', async () => {
    const session = await openPage(browser);
    const { page } = session;
    await openApp(page, appUrl, '?lr=0.5');
    const manifold = await waitForCanvas(page, 'manifold', { digits: true, timeout: 60_000 });
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="latent-plot"]') as (HTMLElement & { data?: { x?: ArrayLike<number> }[] }) | null;
      return (el?.data ?? []).reduce((s, t) => s + (t.x?.length ?? 0), 0) >= 10_000;
    }, undefined, { timeout: 60_000 });
    const digit = (await canvasPixels(page, 'decoded-digit')).gray;
    const scatter = await scatterPoints(page);
    expect(inkStats(digit).std).toBeGreaterThan(20);

    await page.getByTestId('train-toggle').click();
    await page.waitForFunction(() => /diverged/i.test(document.querySelector('[role="alert"]')?.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await page.getByRole('alert').innerText()).toMatch(/rolled back to where training started \(step 0\).*lower learning rate/);
    await page.waitForFunction(() => document.querySelector('[data-testid="train-toggle"]')?.textContent?.trim() === 'Train');
    // The displays show the bundled model again: the manifold, the decoded digit (not solid black), the scatter.
    await waitForImage(page, 'manifold', manifold);
    await waitForImage(page, 'decoded-digit', digit);
    expect(inkStats((await canvasPixels(page, 'decoded-digit')).gray).std).toBeGreaterThan(20);
    await page.waitForFunction(
      (want) => {
        const el = document.querySelector('[data-testid="latent-plot"]') as (HTMLElement & { data?: { x?: ArrayLike<number>; y?: ArrayLike<number> }[] }) | null;
        const got = (el?.data ?? []).flatMap((t) => [...Array.from(t.x ?? [], Number), ...Array.from(t.y ?? [], Number)]);
        return got.length === want.length && got.every((v, i) => Number.isFinite(v) && Math.abs(v - want[i]) < 1e-4);
      },
      scatter,
      { timeout: 60_000, polling: 500 },
    );
    expect((await readStatus(page)).step).toBe(0);
    expect((await lossSeries(page)).steps).toEqual([]); // the chart shows step 0's state: nothing yet
    expect(meanAbsDiff((await canvasPixels(page, 'manifold')).gray, manifold)).toBeLessThan(0.5);

    // A sane learning rate trains from the restored (pretrained) weights.
    const lr = page.getByLabel('Learning rate', { exact: true });
    await lr.fill('0.001');
    await lr.press('Enter');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('lr') === '0.001');
    await startTraining(page);
    await waitForStep(page, 30);
    await pauseTraining(page);
    const losses = (await waitForLossSeries(page, 30)).values; // the chart redraws after the status moved on
    expect(losses.length).toBeGreaterThanOrEqual(30);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(Math.max(...losses)).toBeLessThan(250); // a pretrained model's loss (about 140), not a fresh one's (about 540)
    expect(await page.getByRole('alert').innerText()).toMatch(/diverged/); // no newer error
    expect(session.unexpectedErrors()).toEqual([]);
    await session.close();
  });

  test('?data= a folder that 404s: the error is shown, the built-in MNIST is used, and every control works', async () => {
    const session = await openPage(browser);
    const { page } = session;
    await openApp(page, appUrl, `?data=${encodeURIComponent(new URL('no-such-dataset/', weightsUrl).href)}`);
    const alert = await page.getByRole('alert').innerText();
    expect(alert).toMatch(/No dataset found at .*no-such-dataset: it has no t10k-labels-idx1-ubyte \(\.gz or plain\), nor the test labels of EMNIST, Fashion-MNIST, KMNIST or QMNIST/);
    expect(alert).toMatch(/The built-in MNIST is used instead\./);
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="latent-plot"]') as (HTMLElement & { data?: { x?: ArrayLike<number> }[] }) | null;
      return (el?.data ?? []).reduce((s, t) => s + (t.x?.length ?? 0), 0) >= 10_000;
    }, undefined, { timeout: 60_000 });
    for (const id of ['train-toggle', 'step-button', 'reset-button', 'load-weights', 'save-weights']) {
      expect(await page.getByTestId(id).isDisabled(), id).toBe(false);
    }
    await startTraining(page);
    await waitForStep(page, 20);
    await pauseTraining(page);
    expect((await readStatus(page)).backend).not.toBe('');
    expect(session.unexpectedErrors(EXPECTED_ERRORS)).toEqual([]);
    await session.close();
  });

  test('a folder with EMNIST\'s own file names loads (its 60 test digits in the scatter) and trains', async () => {
    const session = await openPage(browser);
    const { page } = session;
    await openApp(page, appUrl, `?data=${encodeURIComponent(new URL('emnist/', fixtures.url).href)}`);
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="latent-plot"]') as (HTMLElement & { data?: { x?: ArrayLike<number> }[] }) | null;
      return (el?.data ?? []).reduce((s, t) => s + (t.x?.length ?? 0), 0) >= 60;
    }, undefined, { timeout: 60_000 });
    expect(await scatterPointCount(page)).toBeLessThan(100); // EMNIST's 60, not MNIST's 10,000
    expect(await page.getByTestId('error').count()).toBe(0);
    await startTraining(page);
    await waitForStep(page, 10);
    await pauseTraining(page);
    expect(session.unexpectedErrors(EXPECTED_ERRORS)).toEqual([]);
    await session.close();
  });

  test("a fashion-mnist folder with ?conditional=1: the class picker and the legend name Fashion-MNIST's classes, and it trains", async () => {
    const session = await openPage(browser);
    const { page } = session;
    await openApp(page, appUrl, `?conditional=1&data=${encodeURIComponent(new URL('fashion-mnist/', fixtures.url).href)}`);
    const fashion = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
    await page.waitForFunction((first) => document.querySelector('[data-testid="decode-class"] option')?.textContent === first, fashion[0], { timeout: 60_000 });
    expect(await page.$$eval('[data-testid="decode-class"] option', (os) => os.map((o) => o.textContent))).toEqual(fashion);
    await page.getByTestId('decode-class').selectOption({ label: 'Ankle boot' });
    expect(await page.locator('.class-legend button').allInnerTexts()).toEqual(fashion);
    expect(await page.locator('.panel.decoded h2').innerText()).toBe('Decoded image');
    await startTraining(page);
    await waitForStep(page, 10);
    await pauseTraining(page);
    expect(await page.getByTestId('error').count()).toBe(0);
    expect(session.unexpectedErrors(EXPECTED_ERRORS)).toEqual([]);
    await session.close();
  });
});

