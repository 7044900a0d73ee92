/** Principal directions of a cloud of latent points, for viewing a latent space of more than 2 dimensions. */
import type { LatentPlane } from './plane';

/** Work budget: covariance from at most about this many multiply-adds (subsampling rows if needed). */
const COVARIANCE_BUDGET = 5e6;

/** Covariance matrix [dim, dim] of `points` [count, dim], from an evenly strided subsample. */
export function covariance(points: Float32Array, count: number, dim: number, maxRows = count): Float64Array {
  const rows = Math.max(1, Math.min(count, maxRows));
  const stride = count / rows;
  const mean = new Float64Array(dim);
  const picked: number[] = [];
  for (let r = 0; r < rows; r++) picked.push(Math.floor(r * stride));
  for (const n of picked) for (let k = 0; k < dim; k++) mean[k] += points[n * dim + k];
  for (let k = 0; k < dim; k++) mean[k] /= rows;
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (const n of picked) {
    for (let k = 0; k < dim; k++) centred[k] = points[n * dim + k] - mean[k];
    for (let i = 0; i < dim; i++) {
      const ci = centred[i];
      for (let j = i; j < dim; j++) cov[i * dim + j] += ci * centred[j];
    }
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const value = cov[i * dim + j] / Math.max(1, rows - 1);
      cov[i * dim + j] = value;
      cov[j * dim + i] = value;
    }
  }
  return cov;
}

/** The top eigenvector of a symmetric matrix [dim, dim] by power iteration, orthogonal to `against`. */
function topEigenvector(matrix: Float64Array, dim: number, against: number[][], iterations = 200): number[] {
  let v = Array.from({ length: dim }, (_, k) => 1 / Math.sqrt(dim) + 1e-3 * Math.sin(k + 1));
  const orthogonalise = (x: number[]) => {
    for (const a of against) {
      const d = x.reduce((s, xk, k) => s + xk * a[k], 0);
      for (let k = 0; k < dim; k++) x[k] -= d * a[k];
    }
    const norm = Math.hypot(...x) || 1;
    return x.map((xk) => xk / norm);
  };
  v = orthogonalise(v);
  for (let it = 0; it < iterations; it++) {
    const next = new Array<number>(dim).fill(0);
    for (let i = 0; i < dim; i++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += matrix[i * dim + j] * v[j];
      next[i] = s;
    }
    const w = orthogonalise(next);
    const change = w.reduce((s, wk, k) => s + Math.abs(wk - v[k]), 0);
    v = w;
    if (change < 1e-10) break;
  }
  return v;
}

/** Loadings whose magnitudes differ by less than this count as tied (float noise, symmetric data). */
const TIE = 1e-6;

/**
 * `a` with a sign that depends only on the axis it spans, not on how it was computed: the
 * largest-magnitude loading is made positive (of loadings tied within `TIE`, the first), so the same
 * codes give the same picture in any session, whatever sign the solver returned.
 */
export function orientComponent(a: readonly number[]): number[] {
  const largest = a.reduce((m, ak) => Math.max(m, Math.abs(ak)), 0);
  const pivot = a.findIndex((ak) => Math.abs(ak) >= largest - TIE);
  return pivot >= 0 && a[pivot] < 0 ? a.map((ak) => 0 - ak) : [...a]; // 0 - ak: no -0 for a zero loading
}

/**
 * The plane of the two principal directions of `points` [count, dim] (dim >= 2), each oriented by
 * `orientComponent`: a function of the points alone, so a saved and reopened model is not mirrored.
 */
export function pcaPlane(points: Float32Array, count: number, dim: number): LatentPlane {
  if (dim < 2) throw new RangeError('PCA needs at least 2 latent dimensions.');
  const cov = covariance(points, count, dim, Math.floor(COVARIANCE_BUDGET / (dim * dim)));
  const a1 = topEigenvector(cov, dim, []);
  const a2 = topEigenvector(cov, dim, [a1]);
  return { a1: orientComponent(a1), a2: orientComponent(a2) };
}
