/**
 * Accessibility of the page in Chromium: axe-core finds no serious or critical violation, ready and
 * after some training; the status line is not a live region, and a polite region says only changes
 * of state; the header does not re-wrap while the status numbers grow. One page for the file.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { openApp, pauseTraining, startTraining, waitForCanvas, waitForStep } from './support/app';
import { launchChromium, openPage, type WatchedPage } from './support/browser';

const appUrl = inject('appUrl');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let browser: Browser;
let session: WatchedPage;

beforeAll(async () => {
  browser = await launchChromium();
  session = await openPage(browser);
  await openApp(session.page, appUrl);
  await waitForCanvas(session.page, 'decoded-digit', { digits: true, timeout: 30_000 });
});

afterAll(async () => {
  await session?.close();
  await browser?.close();
});

/**
 * Runs axe-core on the page; returns its serious and critical violations as readable lines. The source
 * goes in through page.evaluate: the app's Content-Security-Policy refuses inline script tags.
 */
async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const results = (await page.evaluate(() => (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<unknown> } }).axe.run(document, { resultTypes: ['violations'] }))) as AxeResults;
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')})`);
}

/** The header paragraph's and the status line's boxes. */
function headerBoxes(page: Page): Promise<{ text: [number, number, number]; status: number }> {
  return page.evaluate(() => {
    const p = document.querySelector('.title p')!.getBoundingClientRect();
    const s = document.querySelector('[data-testid="status"]')!.getBoundingClientRect();
    return { text: [Math.round(p.width), Math.round(p.height), Math.round(p.top)], status: Math.round(s.width) };
  });
}

describe('accessibility', () => {
  test('axe-core finds no serious or critical violation on the ready page', async () => {
    expect(await seriousViolations(session.page)).toEqual([]);
  });

  test('the status line is not live; the polite region says training started, not every step', async () => {
    const { page } = session;
    const line = page.getByRole('status');
    expect(await line.count()).toBe(1);
    expect(await line.getAttribute('data-testid')).toBe('status');
    expect(await line.getAttribute('aria-live')).toBe('off');
    const announcer = page.getByTestId('announcer');
    expect(await announcer.getAttribute('aria-live')).toBe('polite');

    const before = await headerBoxes(page);
    await startTraining(page);
    await page.waitForFunction(() => /Training started/.test(document.querySelector('[data-testid="announcer"]')?.textContent ?? ''));
    const said = await announcer.textContent();
    // While the step counter, the epoch bar and the throughput change, the header keeps its shape.
    const seen = [before];
    for (const step of [5, 40, 120]) {
      const status = await waitForStep(page, step);
      if (step === 120) expect(status.examplesPerSecond).toBeGreaterThan(0);
      seen.push(await headerBoxes(page));
    }
    expect(await announcer.textContent()).toBe(said);
    for (const boxes of seen) expect(boxes).toEqual(before);

    await pauseTraining(page);
    await page.waitForFunction(() => /Training paused at step \d+/.test(document.querySelector('[data-testid="announcer"]')?.textContent ?? ''));
    expect(await headerBoxes(page)).toEqual(before);
  });

  test('axe-core finds no serious or critical violation after training, with the loss chart drawn', async () => {
    const { page } = session;
    expect(await page.getByTestId('loss-chart').getAttribute('aria-label')).toMatch(/after step \d+, smoothed: total \d+\.\d/);
    expect(await seriousViolations(page)).toEqual([]);
    expect(session.unexpectedErrors()).toEqual([]);
  });
});
