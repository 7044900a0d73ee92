/**
 * What a person looks at, read through the contract test ids (DESIGN.md §2): the status line,
 * the loss chart's series, the decoded digit's pixels and `data-z`, the manifold's pixels, and
 * where a point of the latent plot sits on screen.
 */
import type { Page } from 'playwright-core';

/** The parsed status line (`role="status"`). */
export interface Status {
  text: string;
  step: number;
  epoch: number;
  examplesPerSecond: number;
  backend: string;
}

const byId = (id: string) => `[data-testid="${id}"]`;

/** Opens the app (with an optional query string) and waits until Train is enabled. */
export async function openApp(page: Page, appUrl: string, query = '', timeout = 90_000): Promise<number> {
  const started = Date.now();
  await page.goto(new URL(query, appUrl).href);
  await page.waitForSelector(`${byId('train-toggle')}:not([disabled])`, { timeout });
  return Date.now() - started;
}

/** Reads and parses the status line. */
export async function readStatus(page: Page): Promise<Status> {
  const text = (await page.getByTestId('status').innerText()).replace(/\s+/g, ' ');
  const num = (re: RegExp) => Number((re.exec(text)?.[1] ?? 'NaN').replace(/,/g, ''));
  return {
    text,
    step: num(/step\s+([\d,]+)/i),
    epoch: num(/epoch\s+([\d,]+)/i),
    examplesPerSecond: num(/([\d,.]+)\s+examples\/s/i),
    backend: /backend:\s*(.+)$/i.exec(text)?.[1]?.trim() ?? '',
  };
}

/** Waits until the status shows at least `step` steps; returns the status then. */
export async function waitForStep(page: Page, step: number, timeout = 120_000): Promise<Status> {
  await page.waitForFunction(
    ([sel, n]) => {
      const m = /step\s+([\d,]+)/i.exec(document.querySelector(sel as string)?.textContent ?? '');
      return m !== null && Number(m[1].replace(/,/g, '')) >= (n as number);
    },
    [byId('status'), step] as const,
    { timeout, polling: 200 },
  );
  return readStatus(page);
}

/** The train toggle's label ("Train" or "Pause"). */
/**
 * Presses Reset and, when the app asks first (trained steps would be lost), confirms; resolves once
 * the status line shows step 0.
 */
export async function resetWeights(page: Page): Promise<void> {
  await page.getByTestId('reset-button').click();
  await page.waitForFunction(
    () => /step\s+0(?!\d)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? '') || !!document.querySelector('[role="alertdialog"]'),
  );
  const dialog = page.getByRole('alertdialog');
  if ((await dialog.count()) > 0) await dialog.getByRole('button', { name: 'Discard weights and reset' }).click();
  await page.waitForFunction(() => /step\s+0(?!\d)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ''));
}

export async function toggleLabel(page: Page): Promise<string> {
  return (await page.getByTestId('train-toggle').innerText()).trim();
}

/** Clicks Train (when it says Train) and waits for it to say Pause. */
export async function startTraining(page: Page): Promise<void> {
  if ((await toggleLabel(page)) !== 'Pause') await page.getByTestId('train-toggle').click();
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.trim() === 'Pause', byId('train-toggle'));
}

/**
 * Clicks Pause (when it says Pause) and waits for it to say Train and, unless `settled` is false, for the
 * status line to say paused: the worker has then stopped, and the page holds its last step's decoder
 * weights and losses. (On software WebGL a conv model's display work in flight can take a minute.)
 */
export async function pauseTraining(page: Page, { settled = true }: { settled?: boolean } = {}): Promise<void> {
  if ((await toggleLabel(page)) === 'Pause') await page.getByTestId('train-toggle').click();
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.trim() === 'Train', byId('train-toggle'));
  if (settled) await page.waitForSelector(`${byId('status')} .state-paused`, { timeout: 120_000 });
}

/** The loss chart's raw per-step series of one term ("total", "reconstruction", "KL"). */
export async function lossSeries(page: Page, term = 'total'): Promise<{ steps: number[]; values: number[] }> {
  return page.evaluate(
    ([sel, name]) => {
      const el = document.querySelector(sel) as (HTMLElement & { data?: { name?: string; x?: ArrayLike<number>; y?: ArrayLike<number> }[] }) | null;
      const trace = el?.data?.find((t) => t.name === name);
      return { steps: Array.from(trace?.x ?? [], Number), values: Array.from(trace?.y ?? [], Number) };
    },
    [byId('loss-chart'), `${term} (raw)`] as const,
  );
}

/**
 * Waits until the loss chart's raw `term` trace holds at least `points` steps (the chart redraws through a
 * queue, after the status line has moved on), then returns the series.
 */
export async function waitForLossSeries(page: Page, points: number, term = 'total', timeout = 30_000): Promise<{ steps: number[]; values: number[] }> {
  await page.waitForFunction(
    ([sel, name, n]) => {
      const el = document.querySelector(sel) as (HTMLElement & { data?: { name?: string; y?: ArrayLike<number> }[] }) | null;
      return (el?.data?.find((t) => t.name === name)?.y?.length ?? 0) >= n;
    },
    [byId('loss-chart'), `${term} (raw)`, points] as const,
    { timeout },
  );
  return lossSeries(page, term);
}

/** Grayscale pixels (0 = black ink, 255 = white paper) of a canvas with the given test id. */
export async function canvasPixels(page: Page, testId: string): Promise<{ width: number; height: number; gray: number[] }> {
  return page.evaluate((sel) => {
    const canvas = document.querySelector(sel) as HTMLCanvasElement | null;
    if (!canvas || canvas.width === 0 || canvas.height === 0) return { width: 0, height: 0, gray: [] };
    const ctx = canvas.getContext('2d');
    if (!ctx) return { width: 0, height: 0, gray: [] };
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const gray: number[] = [];
    for (let i = 0; i < data.length; i += 4) gray.push(data[i + 3] === 0 ? -1 : Math.round((data[i] + data[i + 1] + data[i + 2]) / 3));
    return { width: canvas.width, height: canvas.height, gray };
  }, byId(testId));
}

/** How an image looks: share of blank (transparent) pixels, of paper (>= 230) and of ink (<= 80), and the spread. */
export function inkStats(gray: number[]): { blank: number; paper: number; ink: number; std: number } {
  const n = Math.max(1, gray.length);
  let blank = 0;
  let paper = 0;
  let ink = 0;
  let sum = 0;
  let sq = 0;
  for (const v of gray) {
    if (v < 0) blank++;
    else if (v >= 230) paper++;
    else if (v <= 80) ink++;
    sum += v;
    sq += v * v;
  }
  const mean = sum / n;
  return { blank: blank / n, paper: paper / n, ink: ink / n, std: Math.sqrt(Math.max(0, sq / n - mean * mean)) };
}

/** True when a grid or digit looks like handwriting: mostly white paper with some dark strokes. */
export function looksLikeDigits(gray: number[]): boolean {
  const s = inkStats(gray);
  return s.blank === 0 && s.paper > 0.4 && s.ink > 0.02;
}

/** Mean absolute difference of two images of the same size, in grey levels. */
export function meanAbsDiff(a: number[], b: number[]): number {
  if (a.length !== b.length || a.length === 0) return Infinity;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** The decoded digit's `data-z` as numbers. */
export async function readZ(page: Page): Promise<number[]> {
  const raw = (await page.getByTestId('decoded-digit').getAttribute('data-z')) ?? '';
  return raw.split(',').filter((s) => s !== '').map(Number);
}

/**
 * Sets the latent point with the z sliders (as a person would) and waits for `data-z` to follow.
 * A slider that a re-render replaced mid-way is moved again, as a person would; after three tries
 * the error names what `data-z` shows.
 */
export async function setZ(page: Page, z: number[]): Promise<void> {
  let lastSeen = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    for (let k = 0; k < z.length; k++) await page.getByRole('slider', { name: `z${k + 1}`, exact: true }).fill(String(z[k]));
    try {
      await page.waitForFunction(
        ([sel, want]) => {
          const got = (document.querySelector(sel as string)?.getAttribute('data-z') ?? '').split(',').map(Number);
          return (want as number[]).every((v, i) => Math.abs(got[i] - v) < 0.006);
        },
        [byId('decoded-digit'), z] as const,
        { timeout: 8_000 },
      );
      return;
    } catch {
      lastSeen = (await page.getByTestId('decoded-digit').getAttribute('data-z')) ?? '(none)';
    }
  }
  throw new Error(`The decoded digit's data-z stayed at ${lastSeen} after setting the sliders to ${z.join(', ')}.`);
}

/** Decodes at each z (through the sliders) and returns the digit's pixels for each. */
export async function decodingsAt(page: Page, points: number[][]): Promise<number[][]> {
  const out: number[][] = [];
  for (const z of points) {
    await setZ(page, z);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
    out.push((await canvasPixels(page, 'decoded-digit')).gray);
  }
  return out;
}

/** The latent plot's drawing area on the page and its axis ranges (Plotly's public `layout`). */
export interface PlotFrame {
  left: number;
  top: number;
  width: number;
  height: number;
  x: [number, number];
  y: [number, number];
}

/** Where the latent plot's axes are: the drag layer's box (the plot area) and the axis ranges. */
export async function latentFrame(page: Page): Promise<PlotFrame> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel) as (HTMLElement & { layout?: { xaxis?: { range?: number[] }; yaxis?: { range?: number[] } } }) | null;
    const area = el?.querySelector('.nsewdrag')?.getBoundingClientRect();
    const x = el?.layout?.xaxis?.range;
    const y = el?.layout?.yaxis?.range;
    if (!area || !x || !y) throw new Error('the latent plot has not been drawn');
    return { left: area.left, top: area.top, width: area.width, height: area.height, x: [x[0], x[1]] as [number, number], y: [y[0], y[1]] as [number, number] };
  }, byId('latent-plot'));
}

/** Latent coordinates under a page position (linear axes). */
export function dataAt(frame: PlotFrame, px: number, py: number): [number, number] {
  const u = frame.x[0] + ((px - frame.left) / frame.width) * (frame.x[1] - frame.x[0]);
  const v = frame.y[1] - ((py - frame.top) / frame.height) * (frame.y[1] - frame.y[0]);
  return [u, v];
}

/** Page position of a fraction (0..1 from the left, 0..1 from the top) of the plot area. */
export function pointIn(frame: PlotFrame, fx: number, fy: number): [number, number] {
  return [frame.left + fx * frame.width, frame.top + fy * frame.height];
}

/** Main-thread long tasks recorded since the page opened (or since `clearLongTasks`). */
export async function longTasks(page: Page): Promise<{ start: number; duration: number }[]> {
  return page.evaluate(() => [...((window as unknown as { __e2eLongTasks?: { start: number; duration: number }[] }).__e2eLongTasks ?? [])]);
}

/** Forgets the long tasks recorded so far. */
export async function clearLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const log = (window as unknown as { __e2eLongTasks?: unknown[] }).__e2eLongTasks;
    if (log) log.length = 0;
  });
}

/** Mean of the first and of the last `n` values. */
export function headTailMeans(values: number[], n: number): { head: number; tail: number } {
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / Math.max(1, v.length);
  return { head: mean(values.slice(0, n)), tail: mean(values.slice(-n)) };
}

/**
 * Waits until a canvas is drawn (no transparent pixel) and, with `digits`, looks
 * like handwriting (as `looksLikeDigits`); with `differentFrom`, until it differs from that image.
 */
export async function waitForCanvas(
  page: Page,
  testId: string,
  opts: { digits?: boolean; differentFrom?: number[]; timeout?: number } = {},
): Promise<number[]> {
  await page.waitForFunction(
    ([sel, digits, before]) => {
      const canvas = document.querySelector(sel as string) as HTMLCanvasElement | null;
      const ctx = canvas && canvas.width > 0 ? canvas.getContext('2d') : null;
      if (!canvas || !ctx) return false;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const n = data.length / 4;
      let paper = 0;
      let ink = 0;
      let diff = 0;
      const prev = before as number[] | null;
      for (let i = 0; i < n; i++) {
        if (data[4 * i + 3] === 0) return false;
        const v = Math.round((data[4 * i] + data[4 * i + 1] + data[4 * i + 2]) / 3);
        if (v >= 230) paper++;
        else if (v <= 80) ink++;
        if (prev) diff += Math.abs(v - (prev[i] ?? -1000));
      }
      if (digits && !(paper / n > 0.4 && ink / n > 0.02)) return false;
      if (prev && (prev.length !== n || diff / n < 1)) return prev.length !== n && n > 0;
      return true;
    },
    [`[data-testid="${testId}"]`, opts.digits ?? false, opts.differentFrom ?? null] as const,
    { timeout: opts.timeout ?? 60_000, polling: 250 },
  );
  return (await canvasPixels(page, testId)).gray;
}

/** Number of test digits drawn in the latent scatter (all traces). */
export async function scatterPointCount(page: Page): Promise<number> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel) as (HTMLElement & { data?: { x?: ArrayLike<number> }[] }) | null;
    return (el?.data ?? []).reduce((s, t) => s + (t.x?.length ?? 0), 0);
  }, '[data-testid="latent-plot"]');
}
