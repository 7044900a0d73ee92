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

/**
 * The plane of the two principal directions of `points` [count, dim] (dim >= 2). Signs are chosen to
 * agree with `previous` when given (so a refreshed view does not flip), else the largest entry is positive.
 */
export function pcaPlane(points: Float32Array, count: number, dim: number, previous?: LatentPlane): LatentPlane {
  if (dim < 2) throw new RangeError('PCA needs at least 2 latent dimensions.');
  const cov = covariance(points, count, dim, Math.floor(COVARIANCE_BUDGET / (dim * dim)));
  const a1 = topEigenvector(cov, dim, []);
  const a2 = topEigenvector(cov, dim, [a1]);
  const orient = (a: number[], prev?: number[]) => {
    const reference = prev && prev.length === dim ? a.reduce((s, ak, k) => s + ak * prev[k], 0) : a.reduce((m, ak) => (Math.abs(ak) > Math.abs(m) ? ak : m), 0);
    return reference < 0 ? a.map((ak) => -ak) : a;
  };
  return { a1: orient(a1, previous?.a1), a2: orient(a2, previous?.a2) };
}
