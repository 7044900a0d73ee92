/**
 * One file out, one file in (issue 17): Save downloads exactly one .zip holding the weights format's
 * folder; after Reset, that .zip opened with the file input, or dropped on the page, decodes exactly as
 * the model saved; a dropped file that is no zip is refused in plain words and the model stays; a
 * model trained here and replaced by an opened one unsaved is kept in browser storage and opens again.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { decodingsAt, meanAbsDiff, openApp, pauseTraining, readStatus, resetWeights, startTraining, waitForCanvas, waitForStep } from './support/app';
import { launchChromium, openPage, type WatchedPage } from './support/browser';

const appUrl = inject('appUrl');
/** Latent points where decodings are compared. */
const POINTS = [
  [0, 0],
  [1.2, -0.8],
  [-1.5, 1.1],
];
const same = (a: number[][], b: number[][]) => a.reduce((s, img, i) => Math.max(s, meanAbsDiff(img, b[i])), 0);

let browser: Browser;
let session: WatchedPage;
let downloadsDir = '';
let zipPath = '';
let zipName = '';
let saved: number[][] = [];

/** Waits until the weights panel says where the current model came from and that text matches `origin`. */
async function waitForOrigin(page: Page, origin: RegExp): Promise<void> {
  await page.waitForFunction((source) => new RegExp(source).test(document.querySelector('.model-origin')?.textContent ?? ''), origin.source, { timeout: 60_000 });
  await page.waitForSelector('[data-testid="load-weights"]:not([disabled])');
}

/** Resets to fresh weights and checks they decode differently from the saved model. */
async function resetAway(page: Page): Promise<void> {
  await resetWeights(page);
  await waitForOrigin(page, /fresh random weights/);
  expect(same(await decodingsAt(page, POINTS), saved)).toBeGreaterThan(4);
}

/**
 * Drags the file at `path` onto the page and drops it, as a person would from a file manager: the
 * file reaches the page through a hidden input of the test's own, then travels in a DataTransfer.
 * Resolves once the drop hint has shown and the drop has been dispatched.
 */
async function dropFile(page: Page, path: string): Promise<void> {
  await page.evaluate(() => {
    const input = document.createElement('input');
    input.type = 'file';
    input.id = 'e2e-drop-source';
    input.hidden = true;
    document.body.append(input);
  });
  await page.locator('#e2e-drop-source').setInputFiles(path);
  await page.evaluate(() => {
    const input = document.querySelector('#e2e-drop-source') as HTMLInputElement;
    const data = new DataTransfer();
    data.items.add((input.files as FileList)[0]);
    input.remove();
    (window as unknown as { __e2eDrop: DataTransfer }).__e2eDrop = data;
    document.body.dispatchEvent(new DragEvent('dragenter', { bubbles: true, cancelable: true, dataTransfer: data }));
  });
  await page.getByTestId('drop-hint').waitFor();
  const accepted = await page.evaluate(() => {
    const data = (window as unknown as { __e2eDrop: DataTransfer }).__e2eDrop;
    const target = document.querySelector('[data-testid="manifold"]') ?? document.body;
    const over = new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: data });
    target.dispatchEvent(over);
    target.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: data }));
    return over.defaultPrevented;
  });
  expect(accepted).toBe(true); // the page takes the drop instead of the browser opening the file
  await page.getByTestId('drop-hint').waitFor({ state: 'detached' });
}

beforeAll(async () => {
  browser = await launchChromium();
  session = await openPage(browser, { acceptDownloads: true });
  downloadsDir = await mkdtemp(join(tmpdir(), 'vae-e2e-archive-'));
  await openApp(session.page, appUrl);
  await waitForCanvas(session.page, 'manifold', { digits: true, timeout: 30_000 });
});

afterAll(async () => {
  await session?.close();
  await browser?.close();
  if (downloadsDir) await rm(downloadsDir, { recursive: true, force: true });
});

describe('archive', () => {
  test('Save downloads exactly one .zip, holding the documented folder layout', async () => {
    const { page } = session;
    // Train a little so the saved weights are neither the bundled nor fresh ones.
    await startTraining(page);
    await waitForStep(page, (await readStatus(page)).step + 20, 60_000);
    await pauseTraining(page);
    await page.getByTestId('train-toggle').filter({ hasText: 'Train' }).waitFor();
    saved = await decodingsAt(page, POINTS);

    const downloads: Download[] = [];
    const onDownload = (d: Download) => downloads.push(d);
    page.on('download', onDownload);
    await page.getByTestId('save-weights').click();
    await page.locator('.weights-note', { hasText: 'Saved ' }).waitFor({ timeout: 60_000 }); // after every download has started
    page.off('download', onDownload);
    expect(downloads).toHaveLength(1);
    zipName = downloads[0].suggestedFilename();
    expect(zipName).toMatch(/^mnist-2d-step\d+\.zip$/);
    zipPath = join(downloadsDir, zipName);
    await downloads[0].saveAs(zipPath);

    const folder = zipName.replace(/\.zip$/, '');
    const entries = unzipSync(new Uint8Array(await readFile(zipPath)));
    expect(Object.keys(entries)).toEqual(['vae.json', 'encoder/model.json', 'encoder/weights.bin', 'decoder/model.json', 'decoder/weights.bin'].map((p) => `${folder}/${p}`));
    const manifest = JSON.parse(new TextDecoder().decode(entries[`${folder}/vae.json`]));
    expect(manifest).toMatchObject({ format: 'vae-playground', latentDim: 2, encoder: 'encoder/model.json', decoder: 'decoder/model.json' });
    expect(manifest.training.steps).toBeGreaterThanOrEqual(20);
  });

  test('after Reset, the .zip opened with the file input decodes exactly like the model saved', async () => {
    const { page } = session;
    await resetAway(page);
    await page.getByTestId('weights-files').setInputFiles(zipPath);
    await waitForOrigin(page, new RegExp(`the file ${zipName.replace(/\./g, '\\.')}`));
    expect(await page.getByTestId('error').count()).toBe(0);
    expect(same(await decodingsAt(page, POINTS), saved)).toBeLessThan(0.5);
  });

  test('after Reset, the .zip dropped on the page decodes exactly like the model saved', async () => {
    const { page } = session;
    await resetAway(page);
    await dropFile(page, zipPath);
    await waitForOrigin(page, new RegExp(`the file ${zipName.replace(/\./g, '\\.')}`));
    expect(await page.getByTestId('error').count()).toBe(0);
    expect(same(await decodingsAt(page, POINTS), saved)).toBeLessThan(0.5);
  });

  test('a dropped file that is not a zip is refused in one sentence, and the model stays', async () => {
    const { page } = session;
    const fake = join(downloadsDir, 'notes.zip');
    await writeFile(fake, 'these are my notes, not a model');
    const before = await decodingsAt(page, POINTS);
    await dropFile(page, fake);
    const error = page.getByTestId('error');
    await error.waitFor({ state: 'visible', timeout: 30_000 });
    expect((await error.innerText()).trim()).toContain("notes.zip is not a zip archive; open a .zip saved by this app, or the model's files or folder.");
    await page.waitForSelector('[data-testid="load-weights"]:not([disabled])');
    expect(same(await decodingsAt(page, POINTS), before)).toBeLessThan(0.5);
  });

  test('opening another model keeps the one trained here in browser storage, and opening it there brings it back', async () => {
    const { page } = session;
    await resetAway(page);
    await startTraining(page);
    await waitForStep(page, 15, 60_000);
    await pauseTraining(page);
    const trained = await decodingsAt(page, POINTS);
    expect(same(trained, saved)).toBeGreaterThan(1);

    await page.getByTestId('weights-files').setInputFiles(zipPath); // not saved first: the trained steps would be lost
    await waitForOrigin(page, new RegExp(`the file ${zipName.replace(/\./g, '\\.')}`));
    const note = page.locator('.weights-note', { hasText: 'is kept in this browser as' });
    await note.waitFor({ timeout: 60_000 });
    const keptName = /as "([^"]+)"/.exec(await note.innerText())![1];
    expect(keptName).toMatch(/^mnist-2d-step\d+$/); // named after the dataset it trained on, though fresh weights have none of their own
    expect(same(await decodingsAt(page, POINTS), saved)).toBeLessThan(0.5);

    await page.getByRole('button', { name: `Open ${keptName}` }).click();
    await waitForOrigin(page, new RegExp(`"${keptName}" from this browser's storage`));
    expect(await page.getByTestId('error').count()).toBe(0);
    expect(same(await decodingsAt(page, POINTS), trained)).toBeLessThan(0.5);
  });

  test('no console errors', () => {
    expect(session.unexpectedErrors()).toEqual([]);
  });
});
