/**
 * The app from the keyboard alone, in Chromium: Tab reaches the latent plot and its arrow keys move
 * z (the decoded digit's `data-z` and the plot's marker follow), Tab reaches the manifold and its
 * arrows and Enter set z to a cell, the drag modes are one radio group, and the loss chart's mode bar
 * is one Tab stop that shows while focused. Every focus is visible. One page for the file.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { priorQuantiles } from '../../src/core/latent/normal';
import { latentFrame, openApp, readZ, setZ, waitForCanvas } from './support/app';
import { launchChromium, openPage, type WatchedPage } from './support/browser';

const appUrl = inject('appUrl');
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

/** The focused element: its test id, else its role and accessible label or text. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return '';
    return el.dataset.testid ?? `${el.getAttribute('role') ?? el.tagName.toLowerCase()}:${el.getAttribute('aria-label') ?? el.textContent?.trim() ?? ''}`;
  });
}

/** Waits until `data-z` reads `want` (to the 3 decimals it holds). */
async function waitForZ(page: Page, want: number[]): Promise<void> {
  await page.waitForFunction(
    (w) => {
      const got = (document.querySelector('[data-testid="decoded-digit"]')?.getAttribute('data-z') ?? '').split(',').map(Number);
      return got.length === w.length && w.every((v, i) => Math.abs(got[i] - v) < 0.0015);
    },
    want,
    { timeout: 10_000 },
  );
}

/** The width of the visible focus indicator on the focused element (outline or the plot's ring), in px. */
function focusRingWidth(page: Page): Promise<number> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const own = getComputedStyle(el);
    const ring = getComputedStyle(el, '::after');
    const outline = own.outlineStyle !== 'none' ? parseFloat(own.outlineWidth) : 0;
    const after = ring.content !== 'none' && ring.borderTopStyle !== 'none' ? parseFloat(ring.borderTopWidth) : 0;
    return Math.max(outline, after);
  });
}

describe('from the keyboard', () => {
  test('Tab reaches the latent plot; arrows move z by 0.1, with Shift by 0.5, and the marker follows', async () => {
    const { page } = session;
    await setZ(page, [0, 0]);
    await page.getByRole('checkbox', { name: /σ on hover/ }).focus();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('latent-plot');
    expect(await focusRingWidth(page)).toBeGreaterThanOrEqual(2);

    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await waitForZ(page, [0.3, 0]);
    await page.keyboard.press('Shift+ArrowUp');
    await waitForZ(page, [0.3, 0.5]);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowDown');
    await waitForZ(page, [0.2, 0.4]);
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await waitForZ(page, [0.2, -0.6]);
    expect(await focused(page)).toBe('latent-plot'); // arrows neither leave the plot nor scroll the page
    expect(await page.evaluate(() => window.scrollY)).toBe(0);

    // The cross on the plot sits where the axes put z = (0.2, -0.6): frame and marker read together, until
    // a redraw in flight (the plot's layout settling on a busy machine) has landed.
    const offset = async () => {
      const frame = await latentFrame(page);
      const marker = (await page.locator('.latent-box .z-marker circle').boundingBox())!;
      const x = frame.left + ((0.2 - frame.x[0]) / (frame.x[1] - frame.x[0])) * frame.width;
      const y = frame.top + ((frame.y[1] - -0.6) / (frame.y[1] - frame.y[0])) * frame.height;
      return Math.max(Math.abs(marker.x + marker.width / 2 - x), Math.abs(marker.y + marker.height / 2 - y));
    };
    await expect.poll(offset, { timeout: 5_000 }).toBeLessThan(2);
  });

  test('a press in the latent plot focuses it without a ring; arrow keys go on from the pressed point', async () => {
    const { page } = session;
    await page.getByLabel('manifold grid size').focus(); // focus elsewhere first
    const frame = await latentFrame(page);
    await page.mouse.click(frame.left + frame.width * 0.3, frame.top + frame.height * 0.7);
    expect(await focused(page)).toBe('latent-plot');
    expect(await focusRingWidth(page)).toBe(0); // a mouse user sees no ring
    const [z1, z2] = await readZ(page);
    await page.keyboard.press('ArrowRight');
    await waitForZ(page, [z1 + 0.1, z2]);
    expect(await focusRingWidth(page)).toBeGreaterThanOrEqual(2); // the keyboard user does
  });

  test('Tab reaches the manifold; arrows move its cursor and Enter sets z to that cell', async () => {
    const { page } = session;
    const n = Number(await page.getByLabel('manifold grid size').inputValue());
    expect(n % 2).toBe(1); // the default grid (15) has a centre cell at z = 0
    const q = priorQuantiles(n);
    const centre = (n - 1) / 2;
    await setZ(page, [0, 0]);
    await page.getByLabel('manifold grid size').focus();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('manifold');
    expect(await focusRingWidth(page)).toBeGreaterThanOrEqual(2);
    const cursor = page.locator('.manifold-cursor');
    expect(await cursor.isVisible()).toBe(true);

    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    expect(await readZ(page)).toEqual([0, 0]); // the cursor moves, z waits for Enter
    // The cursor is drawn on that cell: two rows up, three columns right of the centre.
    const grid = (await page.getByTestId('manifold').boundingBox())!;
    const box = (await cursor.boundingBox())!;
    expect(Math.round(((box.x + box.width / 2 - grid.x) / grid.width) * n - 0.5)).toBe(centre + 3);
    expect(Math.round(((box.y + box.height / 2 - grid.y) / grid.height) * n - 0.5)).toBe(centre - 2);

    await page.keyboard.press('Enter');
    await waitForZ(page, [q[centre + 3], q[centre + 2]]);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Shift+ArrowDown'); // a quarter of the grid
    await page.keyboard.press(' ');
    const quarter = Math.max(1, Math.round(n / 4));
    await waitForZ(page, [q[centre + 2], q[centre + 2 - quarter]]);
  });

  test('the drag modes are one Tab stop whose arrow keys choose the mode', async () => {
    const { page } = session;
    const radios = page.getByRole('radiogroup', { name: 'What dragging in the plot does' }).getByRole('radio');
    await page.getByRole('checkbox', { name: /log scale/ }).focus();
    // From the loss panel: the chart's mode bar (one stop), then the checked mode.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('radio:move z');
    expect(await focusRingWidth(page)).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('ArrowRight');
    expect(await radios.nth(1).getAttribute('aria-checked')).toBe('true');
    expect(await focused(page)).toBe('radio:zoom');
    expect(await page.locator('.latent-box').getAttribute('class')).toMatch(/mode-zoom/);
    await page.keyboard.press('Tab');
    expect(await page.getByRole('checkbox', { name: /σ on hover/ }).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toBe('radio:zoom'); // back to the checked one, not to "move z"
    await page.keyboard.press('Home');
    expect(await radios.nth(0).getAttribute('aria-checked')).toBe('true');
  });

  test("the loss chart's mode bar is one Tab stop, shown and ringed while focused", async () => {
    const { page } = session;
    await page.getByRole('checkbox', { name: /log scale/ }).focus();
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      return { inBar: !!el.closest('[data-testid="loss-chart"] .modebar'), label: el.getAttribute('aria-label'), opacity: getComputedStyle(el.closest('.modebar-group')!).opacity };
    });
    expect(first.inBar).toBe(true);
    expect(first.opacity).toBe('1');
    expect(await focusRingWidth(page)).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('ArrowRight');
    const second = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    expect(second).not.toBe(first.label);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('radio:move z'); // the other buttons are not Tab stops
  });
});
