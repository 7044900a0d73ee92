/** Exports: the loss history as CSV, digit images (the manifold, the interpolation strip) as PNG. */
import { downloadFiles } from '../weights/download';
import type { Evaluation, LossHistory } from '../loss-series';

/**
 * The loss history as CSV, one row per training step: the raw per-step terms (nats per example) and,
 * on the steps after which the test set was evaluated, the test terms (β = 1).
 */
export function lossCsv(history: LossHistory, evaluations: readonly Evaluation[]): string {
  const byStep = new Map(evaluations.map((e) => [e.step, e]));
  const lines = ['step,total,reconstruction,kl,test_total,test_reconstruction,test_kl,epoch'];
  const num = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '' : String(Number(v.toPrecision(7))));
  const evalCells = (e: Evaluation | undefined) => (e ? [num(e.total), num(e.reconstruction), num(e.kl), String(e.epoch)] : ['', '', '', '']);
  const seen = new Set<number>();
  for (let i = 0; i < history.length; i++) {
    const step = history.steps[i];
    seen.add(step);
    lines.push([String(step), num(history.raw.total[i]), num(history.raw.reconstruction[i]), num(history.raw.kl[i]), ...evalCells(byStep.get(step))].join(','));
  }
  // Evaluations of steps the history no longer holds (a bundled model's, say) still get a row.
  for (const e of evaluations) if (!seen.has(e.step)) lines.push([String(e.step), '', '', '', ...evalCells(e)].join(','));
  return `${lines.join('\n')}\n`;
}

/**
 * Tiles of bytes (0 = paper, 255 = ink), [rows*cols, side*side], as RGBA pixels of a (cols*side*scale)×
 * (rows*side*scale) image, dark ink on white like the page, each pixel a scale×scale square.
 */
export function tilesToRgba(tiles: ArrayLike<number>, rows: number, cols: number, side: number, scale = 1, bytes = true): { width: number; height: number; rgba: Uint8ClampedArray } {
  const width = cols * side * scale;
  const height = rows * side * scale;
  const rgba = new Uint8ClampedArray(width * height * 4);
  const px = side * side;
  for (let y = 0; y < height; y++) {
    const r = Math.floor(y / (side * scale));
    const iy = Math.floor(y / scale) % side;
    for (let x = 0; x < width; x++) {
      const c = Math.floor(x / (side * scale));
      const ix = Math.floor(x / scale) % side;
      const v = tiles[(r * cols + c) * px + iy * side + ix] ?? 0;
      const ink = 255 - (bytes ? v : Math.round(v * 255));
      const o = (y * width + x) * 4;
      rgba[o] = ink;
      rgba[o + 1] = ink;
      rgba[o + 2] = ink;
      rgba[o + 3] = 255;
    }
  }
  return { width, height, rgba };
}

/** Encodes RGBA pixels as PNG bytes through a canvas (null where the browser cannot). */
export async function pngBytes(image: { width: number; height: number; rgba: Uint8ClampedArray }): Promise<Uint8Array | null> {
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  if (!ctx || typeof canvas.toBlob !== 'function') return null;
  const data = ctx.createImageData(image.width, image.height);
  data.data.set(image.rgba);
  ctx.putImageData(data, 0, 0);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
}

/** Downloads tiles as a PNG file; false when the browser could not make one. */
export async function downloadTilesPng(name: string, tiles: ArrayLike<number>, rows: number, cols: number, side: number, scale: number, bytes = true): Promise<boolean> {
  const png = await pngBytes(tilesToRgba(tiles, rows, cols, side, scale, bytes));
  if (!png) return false;
  await downloadFiles([{ name, bytes: png }]);
  return true;
}

/** Downloads text as a file. */
export async function downloadText(name: string, text: string): Promise<void> {
  await downloadFiles([{ name, bytes: new TextEncoder().encode(text) }]);
}
