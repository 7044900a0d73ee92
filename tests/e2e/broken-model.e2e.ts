/**
 * Model files tfjs-layers cannot deserialise (issue 14): the bundled decoder with its inbound nodes
 * nested one level too few (tensorflow/tfjs#7271, which made tfjs loop for ever inside the worker), and
 * one whose input names a 10-million-character layer, served from another origin (CORS + CORP). Load
 * and `?model=` end in a plain role=alert error, the banner fits the window, the bundled model keeps
 * decoding and Train still trains.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { decodingsAt, looksLikeDigits, meanAbsDiff, openApp, pauseTraining, readStatus, startTraining, waitForCanvas, waitForStep } from './support/app';
import { launchChromium, openPage, type WatchedPage } from './support/browser';
import { startStaticServer, type RunningServer } from './support/servers';

const appUrl = inject('appUrl');
const outDir = inject('outDir');
const POINTS = [
  [0, 0],
  [1.2, -0.8],
];
/** Waiting for the error: generous for a loaded machine; the load used to never end. */
const ERROR_TIMEOUT = 30_000;

type Layer = { name: string; inbound_nodes: unknown[] };

let browser: Browser;
let session: WatchedPage;
let server: RunningServer;
let root = '';

/** Writes the bundled decoder to `root/<name>/` with its layers edited by `edit`. */
async function brokenDecoder(name: string, edit: (layers: Layer[]) => void): Promise<string> {
  const from = join(outDir, 'models', 'mnist-2d', 'decoder');
  const json = JSON.parse(await readFile(join(from, 'model.json'), 'utf8'));
  edit(json.modelTopology.config.layers as Layer[]);
  await mkdir(join(root, name), { recursive: true });
  await writeFile(join(root, name, 'model.json'), JSON.stringify(json));
  await copyFile(join(from, 'weights.bin'), join(root, name, 'weights.bin'));
  return new URL(`${name}/model.json`, server.url).href;
}

/** Loads `url` with the Weights URL field; returns the error banner's text once it shows. */
async function loadExpectingError(page: Page, url: string): Promise<string> {
  await page.getByTestId('weights-url').fill(url);
  await page.getByTestId('load-weights').click();
  const error = page.getByTestId('error');
  await error.waitFor({ state: 'visible', timeout: ERROR_TIMEOUT });
  expect(await error.getAttribute('role')).toBe('alert');
  await page.waitForSelector('[data-testid="load-weights"]:not([disabled])', { timeout: ERROR_TIMEOUT });
  return (await error.innerText()).trim();
}

async function dismissError(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Dismiss the error' }).click();
  await expect.poll(() => page.getByTestId('error').count()).toBe(0);
}

/** Trains a few steps and pauses: the worker is alive and owns a model. */
async function trainsAFewSteps(page: Page): Promise<void> {
  const start = (await readStatus(page)).step;
  await startTraining(page);
  await waitForStep(page, start + 5, 60_000);
  await pauseTraining(page);
}

const same = (a: number[][], b: number[][]) => a.reduce((s, img, i) => Math.max(s, meanAbsDiff(img, b[i])), 0);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vae-e2e-broken-'));
  server = await startStaticServer(root);
  browser = await launchChromium();
  session = await openPage(browser);
  await openApp(session.page, appUrl);
  await waitForCanvas(session.page, 'manifold', { digits: true, timeout: 30_000 });
});

afterAll(async () => {
  await session?.close();
  await browser?.close();
  await server?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('a model file tfjs cannot deserialise', () => {
  test('Load: inbound nodes nested one level too few end in a plain error; the bundled model still decodes and trains', async () => {
    const { page } = session;
    const url = await brokenDecoder('flat', (layers) => {
      for (const layer of layers) layer.inbound_nodes = layer.inbound_nodes.map((call) => (call as unknown[])[0]);
    });
    const before = await decodingsAt(page, POINTS);
    const message = await loadExpectingError(page, url);
    console.log(`[e2e] broken model error: ${message}`);
    expect(message).toMatch(/flat\/model\.json: layer "decoder_dense_1" lists its inputs \(inbound_nodes\) nested one level too few/);
    expect(same(await decodingsAt(page, POINTS), before)).toBeLessThan(0.5);
    expect(looksLikeDigits(await waitForCanvas(page, 'manifold'))).toBe(true);
    await trainsAFewSteps(page);
    await dismissError(page);
  });

  test('Load: a 10-million-character layer name gives a short message in a banner that wraps on a phone-sized window', async () => {
    const { page } = session;
    const huge = 'z'.repeat(10_000_000);
    const url = await brokenDecoder('long-name', (layers) => {
      layers[1].inbound_nodes = [[[huge, 0, 0, {}]]];
    });
    const message = await loadExpectingError(page, url);
    expect(message).toMatch(/layer "decoder_dense_1" takes its input from "z+…", which is not a layer of this model\./);
    expect(message.length).toBeLessThan(400);
    // On a phone-sized window the banner wraps the long word (without overflow-wrap it hid 164 px of it).
    const viewport = page.viewportSize();
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const banner = await page.evaluate(() => {
        const el = document.querySelector('[data-testid="error"]') as HTMLElement;
        return { hidden: el.scrollWidth - el.clientWidth, right: el.getBoundingClientRect().right, width: window.innerWidth };
      });
      expect(banner.hidden).toBeLessThanOrEqual(0);
      expect(banner.right).toBeLessThanOrEqual(banner.width);
    } finally {
      if (viewport) await page.setViewportSize(viewport);
    }
    await dismissError(page);
    await trainsAFewSteps(page);
  });

  test('?model=<broken model.json> at start: the page starts with the bundled model and says why', async () => {
    const url = await brokenDecoder('flat-at-start', (layers) => {
      layers[2].inbound_nodes = [[['decoder_dense_l', 0, 0, {}]]];
    });
    const other = await openPage(browser);
    try {
      await openApp(other.page, appUrl, `?model=${encodeURIComponent(url)}`);
      const error = other.page.getByTestId('error');
      await error.waitFor({ state: 'visible', timeout: ERROR_TIMEOUT });
      const message = (await error.innerText()).trim();
      expect(message).toMatch(/layer "decoder_dense_2" takes its input from "decoder_dense_l", which is not a layer of this model\./);
      expect(looksLikeDigits(await waitForCanvas(other.page, 'manifold', { digits: true, timeout: 30_000 }))).toBe(true);
      await trainsAFewSteps(other.page);
      expect(other.unexpectedErrors()).toEqual([]);
    } finally {
      await other.close();
    }
  });

  test('no console errors', () => {
    expect(session.unexpectedErrors()).toEqual([]);
  });
});
