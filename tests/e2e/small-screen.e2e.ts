/**
 * The app on a phone (390 x 844, the width of an iPhone 12-15): the panels stack, nothing runs off
 * the side, the z sliders keep a usable width, a drag in the latent plot decodes, and the
 * questions that protect trained weights behave with a real keyboard. One page for the file.
 *
 *   E2E_SHOTS=dir   also saves full-page screenshots there, to look at
 */
import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { canvasPixels, dataAt, latentFrame, openApp, pointIn, readStatus, readZ, waitForCanvas, waitForStep } from './support/app';
import { launchChromium, openPage, type WatchedPage } from './support/browser';

const appUrl = inject('appUrl');
const PHONE = { width: 390, height: 844 };
let browser: Browser;
let session: WatchedPage;

async function shot(name: string): Promise<void> {
  const dir = process.env.E2E_SHOTS;
  if (dir) await session.page.screenshot({ path: join(dir, `phone-${name}.png`), fullPage: true });
}

beforeAll(async () => {
  browser = await launchChromium();
  session = await openPage(browser, { viewport: PHONE });
  await openApp(session.page, appUrl);
  await waitForCanvas(session.page, 'decoded-digit', { digits: true, timeout: 30_000 });
});

afterAll(async () => {
  await session?.close();
  await browser?.close();
});

describe('on a 390 px wide phone', () => {
  test('nothing runs off the side and each z slider is at least 150 px wide', async () => {
    const { page } = session;
    await shot('ready');
    const overflow = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      body: document.body.scrollWidth,
      viewport: window.innerWidth,
      wide: [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5 && el.getClientRects().length > 0)
        .filter((el) => !el.closest('.visually-hidden'))
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
    }));
    expect(overflow.viewport).toBe(PHONE.width);
    expect(overflow.page, `wider than the screen: ${overflow.wide.join(', ')}`).toBeLessThanOrEqual(PHONE.width);
    expect(overflow.body).toBeLessThanOrEqual(PHONE.width);
    expect(overflow.wide).toEqual([]);

    const sliders = page.getByRole('group', { name: 'Latent coordinates' }).getByRole('slider');
    expect(await sliders.count()).toBeGreaterThanOrEqual(2);
    for (const slider of await sliders.all()) {
      const box = (await slider.boundingBox())!;
      expect(box.width).toBeGreaterThanOrEqual(150);
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    }
  });

  test('a small drag of a z slider is a small change of z', async () => {
    const { page } = session;
    const slider = page.getByRole('slider', { name: 'z1', exact: true });
    await slider.scrollIntoViewIfNeeded();
    await slider.fill('0');
    await page.waitForFunction(() => document.querySelector('[data-testid="decoded-digit"]')?.getAttribute('data-z')?.startsWith('0.000,'));
    const box = (await slider.boundingBox())!;
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 5, y);
    await page.mouse.move(x + 10, y);
    await page.mouse.up();
    const [z1] = await readZ(page);
    // ±4 over at least 150 px: 10 px is about half a unit (on a 10 px wide slider it was the end).
    expect(z1).toBeGreaterThan(0);
    expect(z1).toBeLessThan(1);
  });

  test('a drag in the latent plot moves z and decodes', async () => {
    const { page } = session;
    await page.getByTestId('latent-plot').scrollIntoViewIfNeeded();
    const before = (await canvasPixels(page, 'decoded-digit')).gray;
    const frame = await latentFrame(page);
    const [x0, y0] = pointIn(frame, 0.3, 0.65);
    const [x1, y1] = pointIn(frame, 0.7, 0.3);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++) await page.mouse.move(x0 + ((x1 - x0) * i) / 8, y0 + ((y1 - y0) * i) / 8);
    await page.mouse.up();
    const want = dataAt(await latentFrame(page), x1, y1);
    await page.waitForFunction(
      ([w]) => {
        const got = (document.querySelector('[data-testid="decoded-digit"]')?.getAttribute('data-z') ?? '').split(',').map(Number);
        return Math.abs(got[0] - w[0]) < 0.1 && Math.abs(got[1] - w[1]) < 0.1;
      },
      [want] as const,
    );
    await waitForCanvas(page, 'decoded-digit', { differentFrom: before });
    await shot('dragged');
    expect(session.unexpectedErrors()).toEqual([]);
  });

  test('Enter in the latent-dimension field asks, and the same keystroke does not answer', async () => {
    const { page } = session;
    await page.getByTestId('step-button').click();
    const trained = await waitForStep(page, 1);
    const field = page.getByLabel('Latent dimension', { exact: true });
    await field.scrollIntoViewIfNeeded();
    await field.fill('3');
    await field.press('Enter'); // keydown, keypress, keyup: all of it delivered before this resolves
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(new RegExp(`latent dimension.*the ${trained.step} training steps?`, 's'));
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Keep training this model');
    await shot('confirm');
    await page.keyboard.press('Enter'); // a second, deliberate Enter answers with the focused button
    await dialog.waitFor({ state: 'detached' });
    expect(await field.inputValue()).toBe('2');
    expect((await readStatus(page)).step).toBe(trained.step);
  });

  test('Reset asks once steps are trained; Escape keeps them', async () => {
    const { page } = session;
    const { step } = await readStatus(page);
    expect(step).toBeGreaterThan(0);
    await page.getByTestId('reset-button').click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(/Reset starts again from new random weights/);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect((await readStatus(page)).step).toBe(step);
    expect(session.unexpectedErrors()).toEqual([]);
  });
});
