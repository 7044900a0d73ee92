/**
 * A 2-D view of the latent space: two orthonormal axes a1, a2 through the origin. For a 2-D latent
 * space they are the unit vectors; above 2 they are two chosen dimensions or the top principal
 * directions. Points project to (z·a1, z·a2); a view point (u, v) lifts back to a latent point that
 * keeps the component of a base point orthogonal to the plane.
 */
import { priorQuantiles } from './normal';

/** Two orthonormal latent directions, each of length latentDim. */
export interface LatentPlane {
  /** Direction of the horizontal view axis. */
  a1: number[];
  /** Direction of the vertical view axis. */
  a2: number[];
}

/** The plane spanned by latent dimensions i and j (0-based). */
export function axisPlane(latentDim: number, i: number, j: number): LatentPlane {
  if (i === j || i < 0 || j < 0 || i >= latentDim || j >= latentDim) {
    throw new RangeError(`A view needs two different latent dimensions below ${latentDim}, got ${i} and ${j}.`);
  }
  const a1 = new Array<number>(latentDim).fill(0);
  const a2 = new Array<number>(latentDim).fill(0);
  a1[i] = 1;
  a2[j] = 1;
  return { a1, a2 };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>, offset = 0): number {
  let s = 0;
  for (let k = 0; k < b.length; k++) s += a[offset + k] * b[k];
  return s;
}

/** View coordinates (u, v) of one latent point z. */
export function projectPoint(z: ArrayLike<number>, plane: LatentPlane): [number, number] {
  return [dot(z, plane.a1), dot(z, plane.a2)];
}

/** View coordinates of many latent points: points [count, latentDim] row-major -> u, v [count]. */
export function projectPoints(points: Float32Array, count: number, plane: LatentPlane): { u: Float32Array; v: Float32Array } {
  const dim = plane.a1.length;
  const u = new Float32Array(count);
  const v = new Float32Array(count);
  for (let n = 0; n < count; n++) {
    u[n] = dot(points, plane.a1, n * dim);
    v[n] = dot(points, plane.a2, n * dim);
  }
  return { u, v };
}

/** The latent point at view coordinates (u, v) that keeps `base`'s component off the plane. */
export function liftPoint(u: number, v: number, plane: LatentPlane, base: ArrayLike<number>): number[] {
  const [bu, bv] = projectPoint(base, plane);
  return plane.a1.map((a1k, k) => base[k] + (u - bu) * a1k + (v - bv) * plane.a2[k]);
}

/**
 * Latent points of an n×n manifold grid at prior quantiles Φ⁻¹(linspace(0.05, 0.95, n)) along the
 * plane's axes: [n*n, latentDim] row-major, row r (top = highest v) then column c (left = lowest u).
 */
export function manifoldGrid(n: number, plane: LatentPlane, base: ArrayLike<number>): Float32Array {
  const q = priorQuantiles(n);
  const dim = plane.a1.length;
  const out = new Float32Array(n * n * dim);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      out.set(liftPoint(q[c], q[n - 1 - r], plane, base), (r * n + c) * dim);
    }
  }
  return out;
}

/** The latent point of manifold cell (row, col) — the same point `manifoldGrid` decodes there. */
export function manifoldCellPoint(n: number, row: number, col: number, plane: LatentPlane, base: ArrayLike<number>): number[] {
  const q = priorQuantiles(n);
  return liftPoint(q[col], q[n - 1 - row], plane, base);
}
