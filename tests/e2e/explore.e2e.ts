/**
 * A learner exploring what the VAE learned (issue 15), in one page like a person: draws a 4 and sees
 * its posterior on the latent plot and its reconstruction, walks from the drawing to a test digit
 * picked on the plot, reads the KL bars, takes a training step and sees the panels follow, and on a
 * 20-dimensional model reads twenty bars.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { canvasPixels, latentFrame, looksLikeDigits, openApp, waitForCanvas } from './support/app';
import { launchChromium, openPage, type WatchedPage } from './support/browser';

const appUrl = inject('appUrl');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let browser: Browser;
let session: WatchedPage;

beforeAll(async () => {
  browser = await launchChromium();
  session = await openPage(browser);
  await openApp(session.page, appUrl);
});

afterAll(async () => {
  await session?.close();
  await browser?.close();
});

/** Draws a stroke through fractions (0..1) of the pad, with small mouse steps. */
async function stroke(page: Page, points: [number, number][]): Promise<void> {
  const pad = (await page.getByTestId('draw-pad').boundingBox())!;
  const at = ([fx, fy]: [number, number]) => [pad.x + fx * pad.width, pad.y + fy * pad.height] as const;
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 8 });
  await page.mouse.up();
}

/** The scatter's points (page pixels of every test digit's code, its trace's class and index in it). */
async function scatterPoints(page: Page): Promise<{ label: string; x: number; y: number }[]> {
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid="latent-plot"]') as HTMLElement & { data?: { name?: string; x?: ArrayLike<number>; y?: ArrayLike<number> }[] };
    return (el.data ?? []).flatMap((t) => Array.from(t.x ?? [], (x, i) => ({ label: t.name ?? '', x: Number(x), y: Number(t.y![i]) })));
  });
}

describe('exploring what the VAE learned', () => {
  test('a drawn 4 appears on the latent plot as a posterior ellipse, with its reconstruction and −ELBO', async () => {
    const { page } = session;
    await page.getByRole('tab', { name: 'Draw a digit' }).click();
    // The core panels give way; the pad is there.
    expect(await page.getByTestId('manifold').isVisible()).toBe(false);
    await stroke(page, [[0.38, 0.12], [0.26, 0.58], [0.78, 0.58]]);
    await stroke(page, [[0.64, 0.2], [0.65, 0.92]]);
    expect(await page.getByTestId('draw-pad').getAttribute('data-strokes')).toBe('2');
    const ellipse = page.getByTestId('drawing-posterior');
    await page.waitForFunction(() => (document.querySelector('[data-testid="drawing-posterior"]')?.getAttribute('d') ?? '').length > 20, undefined, { timeout: 30_000 });
    // The ellipse sits inside the latent plot.
    const [box, plot] = [await ellipse.boundingBox(), await page.getByTestId('latent-plot').boundingBox()];
    expect(box && plot).toBeTruthy();
    expect(box!.x).toBeGreaterThanOrEqual(plot!.x);
    expect(box!.x + box!.width).toBeLessThanOrEqual(plot!.x + plot!.width);
    // What the model sees and how it redraws it both look like digits; the −ELBO is a plausible number of nats.
    expect(looksLikeDigits((await canvasPixels(page, 'draw-input')).gray)).toBe(true);
    expect(looksLikeDigits(await waitForCanvas(page, 'draw-reconstruction', { digits: true }))).toBe(true);
    const negElbo = Number(await page.getByTestId('draw-elbo').getAttribute('data-value'));
    expect(negElbo).toBeGreaterThan(40);
    expect(negElbo).toBeLessThan(600);
  });

  test('interpolates from the drawing to a test digit picked on the plot, and the path crosses the latent plot', async () => {
    const { page } = session;
    await page.getByRole('tab', { name: 'Interpolation' }).click();
    await page.getByRole('button', { name: 'drawing' }).first().click();
    await page.waitForFunction(() => document.querySelector('[data-testid="interpolation-end-a"]')?.textContent === 'your drawing');
    // Pick B: a click on a 1 in the scatter (across the plot from the drawn 4 in the bundled model's map).
    const points = await scatterPoints(page);
    const frame = await latentFrame(page);
    const toPage = (u: number, v: number) => [frame.left + ((u - frame.x[0]) / (frame.x[1] - frame.x[0])) * frame.width, frame.top + ((frame.y[1] - v) / (frame.y[1] - frame.y[0])) * frame.height] as const;
    const ones = points.filter((p) => p.label === '1').sort((p, q) => p.x - q.x);
    const target = ones[Math.floor(ones.length / 2)];
    await page.getByRole('button', { name: 'pick on plot' }).nth(1).click();
    const [px, py] = toPage(target.x, target.y);
    await page.mouse.click(px, py);
    // B is the test digit nearest to the click (as the page computes it, so whichever digit lies there).
    await page.waitForFunction(() => /test digit #\d+ \(a \d\)/.test(document.querySelector('[data-testid="interpolation-end-b"]')?.textContent ?? ''));
    const b = (await page.getByTestId('interpolation-end-b').textContent()) ?? '';
    console.log(`[e2e] picked B: ${b}`);
    await page.waitForFunction(() => document.querySelector('[data-testid="interpolation"]')?.getAttribute('data-frames') === '10');
    const linear = (await canvasPixels(page, 'interpolation')).gray;
    expect(looksLikeDigits(linear)).toBe(true);
    // The path on the plot runs from the drawing's mean to the picked digit.
    const curve = (await page.locator('.interp-curve').getAttribute('d')) ?? '';
    const xy = [...curve.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(xy.length).toBeGreaterThan(30);
    const plotBox = (await page.getByTestId('latent-plot').boundingBox())!;
    const end = xy[xy.length - 1];
    expect(Math.hypot(plotBox.x + end[0] - px, plotBox.y + end[1] - py)).toBeLessThan(25);
    const diamond = (await page.locator('.drawing-mean').boundingBox())!;
    expect(Math.hypot(plotBox.x + xy[0][0] - (diamond.x + diamond.width / 2), plotBox.y + xy[0][1] - (diamond.y + diamond.height / 2))).toBeLessThan(3);
    // Spherical: another path (round the origin, not through it), other frames.
    await page.getByRole('radio', { name: 'spherical (slerp)' }).click();
    await waitForCanvas(page, 'interpolation', { differentFrom: linear });
    expect(await page.getByTestId('interpolation').getAttribute('data-path')).toBe('spherical');
  });

  test('axe-core finds no serious or critical violation in any exploring tab', async () => {
    const { page } = session;
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource); // not a script tag: the CSP refuses inline ones
    // Each tab once its content is in: the drawing's encoding, the strip's, the frames, the bars.
    const shown: Record<string, string> = {
      'Draw a digit': '[data-testid="draw-elbo"]',
      Reconstructions: '[data-testid="reconstructions"]:not([data-step=""])',
      Interpolation: '[data-testid="interpolation"][data-frames="10"]',
      'KL per dimension': '[data-testid="kl-per-dim"]',
    };
    for (const [tab, selector] of Object.entries(shown)) {
      await page.getByRole('tab', { name: tab }).click();
      await page.locator(selector).waitFor({ timeout: 30_000 });
      const results = (await page.evaluate(() => (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<unknown> } }).axe.run(document, { resultTypes: ['violations'] }))) as AxeResults;
      const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')})`);
      expect(serious, tab).toEqual([]);
    }
  });

  test('the KL bars show both dimensions of the 2-D model active, and every panel follows a training step', async () => {
    const { page } = session;
    await page.getByRole('tab', { name: 'KL per dimension' }).click();
    const chart = page.getByTestId('kl-per-dim');
    await chart.waitFor();
    expect(await chart.getAttribute('data-dims')).toBe('2');
    expect(await chart.getAttribute('data-active')).toBe('2');
    expect(await chart.locator('.kl-bar').count()).toBe(2);
    const total = Number(await chart.getAttribute('data-total'));
    expect(total).toBeGreaterThan(2); // the bundled model: about 7 nats
    await page.getByRole('tab', { name: 'Interpolation' }).click();
    const before = (await canvasPixels(page, 'interpolation')).gray;
    const drawingBefore = await page.locator('.drawing-mean').getAttribute('d');
    for (let i = 0; i < 3; i++) await page.getByTestId('step-button').click();
    await waitForCanvas(page, 'interpolation', { differentFrom: before, timeout: 30_000 });
    await page.waitForFunction((d) => document.querySelector('.drawing-mean')?.getAttribute('d') !== d, drawingBefore, { timeout: 30_000 });
    await page.getByRole('tab', { name: 'KL per dimension' }).click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="kl-per-dim"]')?.getAttribute('data-step')) >= 1, undefined, { timeout: 30_000 });
    await page.getByRole('tab', { name: 'Reconstructions' }).click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="reconstructions"]')?.getAttribute('data-step')) >= 1, undefined, { timeout: 30_000 });
    expect(session.unexpectedErrors()).toEqual([]);
  });

  test('exports the loss history as CSV, and the manifold and the interpolation strip as PNG images', async () => {
    const { page } = session;
    const download = async (click: () => Promise<void>) => {
      const [file] = await Promise.all([page.waitForEvent('download'), click()]);
      const path = await file.path();
      return { name: file.suggestedFilename(), bytes: readFileSync(path) };
    };
    const csv = await download(() => page.getByTestId('export-loss').click());
    expect(csv.name).toBe('loss-history.csv');
    const rows = csv.bytes.toString('utf8').trim().split('\n');
    expect(rows[0]).toBe('step,total,reconstruction,kl,test_total,test_reconstruction,test_kl,epoch');
    expect(rows.length).toBeGreaterThanOrEqual(4); // the three steps taken
    const [step, total, rec, kl] = rows[1].split(',').map(Number);
    expect(step).toBe(0);
    expect(total).toBeCloseTo(rec + kl, 2);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const manifold = await download(() => page.getByTestId('export-manifold').click());
    expect(manifold.name).toMatch(/^manifold-15x15-step\d+\.png$/);
    expect(manifold.bytes.subarray(0, 8).equals(png)).toBe(true);
    expect(manifold.bytes.readUInt32BE(16)).toBe(15 * 28 * 2); // width: 15 digits of 28 pixels, doubled
    await page.getByRole('tab', { name: 'Interpolation' }).click();
    const strip = await download(() => page.getByRole('button', { name: 'Export PNG' }).click());
    expect(strip.name).toBe('interpolation-spherical-10.png');
    expect(strip.bytes.subarray(0, 8).equals(png)).toBe(true);
    expect(strip.bytes.readUInt32BE(16)).toBe(10 * 28 * 4);
    expect(session.unexpectedErrors()).toEqual([]);
  });

  test('a 20-dimensional model shows twenty KL bars, each marked active or not', async () => {
    const { page } = session;
    await openApp(page, appUrl, '?latent=20');
    await page.getByRole('tab', { name: 'KL per dimension' }).click();
    const chart = page.getByTestId('kl-per-dim');
    await chart.waitFor({ timeout: 60_000 });
    expect(await chart.getAttribute('data-dims')).toBe('20');
    expect(await chart.locator('.kl-bar').count()).toBe(20);
    const active = Number(await chart.getAttribute('data-active'));
    const inactive = await chart.locator('.kl-bar.inactive').count();
    expect(active + inactive).toBe(20);
    expect(await page.getByText(new RegExp(`${active} of 20 dimensions active`)).count()).toBe(1);
    expect(session.unexpectedErrors()).toEqual([]);
  });
});
