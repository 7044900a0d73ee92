/** Drawings turned into MNIST-like images: box size, centre of mass, scale and position invariance, anti-aliasing. */
import { describe, expect, it } from 'vitest';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import type { ImageDataset } from '../../src/core/data/dataset';
import { centreOfMass, mnistify, rasterizeSegments, type Stroke } from '../../src/core/data/mnistify';

/** Columns and rows holding any ink: [first, last] of each. */
function inkBox(image: Float32Array, side = 28, threshold = 0): { cols: [number, number]; rows: [number, number] } {
  let [c0, c1, r0, r1] = [side, -1, side, -1];
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      if (image[r * side + c] > threshold) {
        c0 = Math.min(c0, c);
        c1 = Math.max(c1, c);
        r0 = Math.min(r0, r);
        r1 = Math.max(r1, r);
      }
    }
  }
  return { cols: [c0, c1], rows: [r0, r1] };
}

const line = (x0: number, y0: number, x1: number, y1: number, n = 20): Stroke =>
  Array.from({ length: n + 1 }, (_, i) => ({ x: x0 + ((x1 - x0) * i) / n, y: y0 + ((y1 - y0) * i) / n }));

/** A hand-drawn 4 on a 280-pixel pad: a down-stroke with a bar, then the long vertical. */
const FOUR: Stroke[] = [
  [...line(90, 40, 60, 170), ...line(60, 170, 210, 170).slice(1)],
  line(170, 60, 175, 250),
];

describe('mnistify', () => {
  it('fits the ink into a 20-pixel box on its longer side and keeps the aspect ratio', () => {
    const image = mnistify(FOUR)!;
    expect(image).toHaveLength(784);
    const { cols, rows } = inkBox(image, 28, 0.05);
    const height = rows[1] - rows[0] + 1;
    const width = cols[1] - cols[0] + 1;
    // The 4 is taller (210 units) than wide (150): its height spans the box, its width 150/210 of it.
    expect(height).toBeGreaterThanOrEqual(19);
    expect(height).toBeLessThanOrEqual(21);
    expect(width).toBeGreaterThan(12);
    expect(width).toBeLessThan(17);
  });

  it('puts the centre of mass at the centre of the 28×28 field', () => {
    // A 4, a bar, an L, a dot, and a thin vertical 1 (whose edges fall between the sampling steps).
    const one: Stroke[] = [[{ x: 30, y: 20 }, { x: 30, y: 60 }, { x: 30, y: 100 }, { x: 32, y: 140 }]];
    for (const strokes of [FOUR, [line(0, 0, 100, 0)], [line(0, 0, 0, 50), line(0, 50, 80, 50)], [[{ x: 5, y: 5 }]], one]) {
      const image = mnistify(strokes)!;
      const [cx, cy] = centreOfMass(image, 28)!;
      expect(Math.hypot(cx - 14, cy - 14)).toBeLessThan(0.05);
    }
  });

  it('gives the same image whatever the drawing size and position (MNIST normalises both)', () => {
    const a = mnistify(FOUR)!;
    const moved = FOUR.map((s) => s.map((p) => ({ x: p.x * 0.3 + 500, y: p.y * 0.3 - 40 })));
    const b = mnistify(moved)!;
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('draws anti-aliased strokes of MNIST width: grey edges, a solid core, about MNIST ink', async () => {
    const image = mnistify(FOUR)!;
    const grey = image.filter((v) => v > 0.05 && v < 0.95).length;
    const solid = image.filter((v) => v >= 0.95).length;
    expect(grey).toBeGreaterThan(20);
    expect(solid).toBeGreaterThan(20);
    for (const v of image) expect(v >= 0 && v <= 1).toBe(true);
    // Real MNIST: the same kind of digit has a similar amount of ink (sum of intensities).
    const test: ImageDataset = (await loadDatasetFromDir()).test;
    let sum = 0;
    let fours = 0;
    for (let n = 0; n < 2000; n++) {
      if (test.labels[n] !== 4) continue;
      fours++;
      for (let i = 0; i < 784; i++) sum += test.images[n * 784 + i];
    }
    const mnistInk = sum / fours;
    const ours = image.reduce((s, v) => s + v, 0);
    expect(ours).toBeGreaterThan(mnistInk * 0.6);
    expect(ours).toBeLessThan(mnistInk * 1.5);
  });

  it('returns null for an empty drawing and ignores points that are not numbers', () => {
    expect(mnistify([])).toBeNull();
    expect(mnistify([[]])).toBeNull();
    expect(mnistify([[{ x: NaN, y: 1 }]])).toBeNull();
    const withJunk = mnistify([[...FOUR[0], { x: Infinity, y: 3 }], FOUR[1]])!;
    expect(withJunk).toEqual(mnistify(FOUR));
  });

  it('rasterises a horizontal pen stroke into full pixels along its length and partial ones at the edges', () => {
    // A 2-pixel pen along y = 10 from x = 5 to x = 15: rows 9 and 10 fully inked between the caps.
    const image = rasterizeSegments([[5, 10, 15, 10]], 28, 2, 4);
    for (let c = 6; c <= 14; c++) {
      expect(image[9 * 28 + c]).toBeCloseTo(1, 5);
      expect(image[10 * 28 + c]).toBeCloseTo(1, 5);
      expect(image[8 * 28 + c]).toBe(0);
      expect(image[11 * 28 + c]).toBe(0);
    }
    expect(image[9 * 28 + 4]).toBeGreaterThan(0); // the round cap
    expect(image[9 * 28 + 4]).toBeLessThan(1);
  });
});
