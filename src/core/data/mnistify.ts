/**
 * A drawing turned into an MNIST-like image, the way MNIST itself was made: the digit is scaled
 * (keeping its aspect ratio) so that its ink fits a 20×20 box, rendered anti-aliased, and placed in a
 * 28×28 field so that its centre of mass sits at the field's centre (LeCun et al.). Pure math over
 * stroke coordinates: no canvas, so it runs (and is tested) in Node.
 */

/** A point of a stroke, in any units (canvas pixels, say); y grows downwards, as on a screen. */
export interface StrokePoint {
  x: number;
  y: number;
}

/** One pen-down to pen-up path. A single point is a dot. */
export type Stroke = readonly StrokePoint[];

/** Options of `mnistify`. */
export interface MnistifyOptions {
  /** Side of the output image (MNIST: 28). */
  side?: number;
  /** Side of the box the ink is scaled into (MNIST: 20). */
  box?: number;
  /** Pen diameter in output pixels (MNIST's strokes are about 2-3 pixels wide). */
  penWidth?: number;
  /** A drawing smaller than this (in the strokes' units) is scaled as if it were this large, so a dot stays a dot. */
  minExtent?: number;
  /** Samples per pixel along each axis for anti-aliasing (4: 16 samples per pixel). */
  supersample?: number;
}

/** MNIST's geometry and a pen that gives its stroke width. */
export const MNIST_GEOMETRY: Required<MnistifyOptions> = { side: 28, box: 20, penWidth: 2.6, minExtent: 0, supersample: 4 };

/** Segments of the strokes mapped into output pixels: [x0, y0, x1, y1] each (a dot has equal ends). */
function mappedSegments(strokes: readonly Stroke[], scale: number, cx: number, cy: number, ox: number, oy: number): number[][] {
  const out: number[][] = [];
  const map = (p: StrokePoint): [number, number] => [(p.x - cx) * scale + ox, (p.y - cy) * scale + oy];
  for (const stroke of strokes) {
    if (stroke.length === 0) continue;
    let prev = map(stroke[0]);
    if (stroke.length === 1) out.push([prev[0], prev[1], prev[0], prev[1]]);
    for (let i = 1; i < stroke.length; i++) {
      const next = map(stroke[i]);
      out.push([prev[0], prev[1], next[0], next[1]]);
      prev = next;
    }
  }
  return out;
}

/** Squared distance from (px, py) to the segment (x0, y0)-(x1, y1). */
function segmentDistance2(px: number, py: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / len2));
  const ex = px - (x0 + t * dx);
  const ey = py - (y0 + t * dy);
  return ex * ex + ey * ey;
}

/**
 * Renders segments (in output pixel units) with a round pen into a side×side image of ink coverage in
 * [0, 1]: each pixel is the share of its k×k sub-pixel samples that lie within the pen's radius.
 */
export function rasterizeSegments(segments: readonly number[][], side: number, penWidth: number, supersample: number): Float32Array {
  const k = supersample;
  const n = side * k; // samples per axis
  const hit = new Uint8Array(n * n);
  const r = penWidth / 2;
  const r2 = r * r;
  for (const [x0, y0, x1, y1] of segments) {
    // Only the samples in the segment's bounding box grown by the radius can be hit.
    const sx0 = Math.max(0, Math.floor((Math.min(x0, x1) - r) * k - 0.5));
    const sx1 = Math.min(n - 1, Math.ceil((Math.max(x0, x1) + r) * k - 0.5));
    const sy0 = Math.max(0, Math.floor((Math.min(y0, y1) - r) * k - 0.5));
    const sy1 = Math.min(n - 1, Math.ceil((Math.max(y0, y1) + r) * k - 0.5));
    for (let sy = sy0; sy <= sy1; sy++) {
      const py = (sy + 0.5) / k;
      for (let sx = sx0; sx <= sx1; sx++) {
        const i = sy * n + sx;
        if (hit[i]) continue;
        if (segmentDistance2((sx + 0.5) / k, py, x0, y0, x1, y1) <= r2) hit[i] = 1;
      }
    }
  }
  const image = new Float32Array(side * side);
  const share = 1 / (k * k);
  for (let sy = 0; sy < n; sy++) {
    const row = Math.floor(sy / k) * side;
    for (let sx = 0; sx < n; sx++) if (hit[sy * n + sx]) image[row + Math.floor(sx / k)] += share;
  }
  return image;
}

/** Centre of mass (x, y) of a side×side image, pixel (c, r) standing at (c + 0.5, r + 0.5); null when blank. */
export function centreOfMass(image: ArrayLike<number>, side: number): [number, number] | null {
  let sum = 0;
  let sx = 0;
  let sy = 0;
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const v = image[r * side + c];
      sum += v;
      sx += v * (c + 0.5);
      sy += v * (r + 0.5);
    }
  }
  return sum > 0 ? [sx / sum, sy / sum] : null;
}

/** Bounding box of every stroke point, or null when there is none. */
export function strokeBounds(strokes: readonly Stroke[]): { minX: number; minY: number; maxX: number; maxY: number } | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const stroke of strokes) {
    for (const p of stroke) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
      minX = Math.min(minX, p.x);
      minY = Math.min(minY, p.y);
      maxX = Math.max(maxX, p.x);
      maxY = Math.max(maxY, p.y);
    }
  }
  return minX <= maxX ? { minX, minY, maxX, maxY } : null;
}

/**
 * Strokes -> an MNIST-like image: pixel intensities in [0, 1] (1 = ink), [side*side] row-major, or null
 * for an empty drawing. The ink's longer side spans `box` pixels (pen included); the centre of mass is
 * moved to the field's centre to within 0.05 pixel.
 */
export function mnistify(strokes: readonly Stroke[], options: MnistifyOptions = {}): Float32Array | null {
  const { side, box, penWidth, minExtent, supersample } = { ...MNIST_GEOMETRY, ...options };
  const clean = strokes.map((s) => s.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))).filter((s) => s.length > 0);
  const bounds = strokeBounds(clean);
  if (!bounds) return null;
  const extent = Math.max(bounds.maxX - bounds.minX, bounds.maxY - bounds.minY, minExtent, 1e-9);
  // The pen's centre line spans box - penWidth, so the ink (pen included) spans the box.
  const scale = Math.max(0, box - penWidth) / extent;
  const cx = (bounds.minX + bounds.maxX) / 2;
  const cy = (bounds.minY + bounds.maxY) / 2;
  // First render with the box centred, then shift so the centre of mass lands at the field's centre.
  // A sub-pixel shift changes which samples the pen covers a little, so the shift is corrected a few
  // times and the best-centred image kept (within 0.05 pixel).
  let ox = side / 2;
  let oy = side / 2;
  let best: { image: Float32Array; error: number } | null = null;
  for (let pass = 0; pass < 5; pass++) {
    const image = rasterizeSegments(mappedSegments(clean, scale, cx, cy, ox, oy), side, penWidth, supersample);
    const com = centreOfMass(image, side);
    if (!com) return image;
    const error = Math.hypot(com[0] - side / 2, com[1] - side / 2);
    if (!best || error < best.error) best = { image, error };
    if (error < 0.01) break;
    ox += side / 2 - com[0];
    oy += side / 2 - com[1];
  }
  // A thin straight stroke can fall between the samples' steps: sample finer rather than leave it off-centre.
  if (best!.error > 0.05 && supersample < 16) return mnistify(clean, { ...options, supersample: supersample * 2 });
  return best!.image;
}
