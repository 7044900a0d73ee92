/** The posterior q(z|x) = N(mean, diag(exp(logVar))) seen in a 2-D view: a covariance ellipse. */
import type { LatentPlane } from './plane';

/** A symmetric 2×2 covariance [[xx, xy], [xy, yy]]. */
export interface Covariance2 {
  xx: number;
  xy: number;
  yy: number;
}

/** The covariance of the view coordinates of z ~ N(·, diag(exp(logVar))): Aᵀ diag(σ²) A. */
export function projectedCovariance(logVar: ArrayLike<number>, plane: LatentPlane): Covariance2 {
  let xx = 0;
  let xy = 0;
  let yy = 0;
  for (let k = 0; k < plane.a1.length; k++) {
    const variance = Math.exp(logVar[k]);
    xx += plane.a1[k] * plane.a1[k] * variance;
    xy += plane.a1[k] * plane.a2[k] * variance;
    yy += plane.a2[k] * plane.a2[k] * variance;
  }
  return { xx, xy, yy };
}

/** Points [x, y] on the k-sigma ellipse of a 2-D Gaussian centred at (cx, cy), closed (first = last). */
export function ellipsePoints(cx: number, cy: number, cov: Covariance2, k = 1, segments = 48): [number, number][] {
  // Eigen-decomposition of the symmetric 2×2 matrix.
  const trace = cov.xx + cov.yy;
  const det = cov.xx * cov.yy - cov.xy * cov.xy;
  const gap = Math.sqrt(Math.max(0, (trace * trace) / 4 - det));
  const l1 = Math.max(0, trace / 2 + gap);
  const l2 = Math.max(0, trace / 2 - gap);
  const angle = Math.abs(cov.xy) < 1e-15 ? (cov.xx >= cov.yy ? 0 : Math.PI / 2) : Math.atan2(l1 - cov.xx, cov.xy);
  const [r1, r2] = [k * Math.sqrt(l1), k * Math.sqrt(l2)];
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  return Array.from({ length: segments + 1 }, (_, s) => {
    const t = (2 * Math.PI * s) / segments;
    const [ex, ey] = [r1 * Math.cos(t), r2 * Math.sin(t)];
    return [cx + ex * cos - ey * sin, cy + ex * sin + ey * cos];
  });
}
