/** Paths between latent points: straight lines, and great circles (which suit a Gaussian prior). */

/** The point a fraction t of the way from a to b on a straight line. */
export function lerp(a: ArrayLike<number>, b: ArrayLike<number>, t: number): number[] {
  return Array.from({ length: a.length }, (_, k) => a[k] + (b[k] - a[k]) * t);
}

/**
 * Spherical interpolation: the direction moves along the great circle from a's to b's (slerp of the unit
 * vectors) while the length goes linearly from |a| to |b|. The path keeps the norm between the endpoints'
 * norms, where the N(0, I) prior puts its mass in higher dimensions (near √d), whereas a straight line
 * between two roughly orthogonal codes passes near the unlikely origin. Parallel or opposite endpoints
 * fall back to the straight line.
 */
export function slerp(a: ArrayLike<number>, b: ArrayLike<number>, t: number): number[] {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < a.length; k++) {
    dot += a[k] * b[k];
    na += a[k] * a[k];
    nb += b[k] * b[k];
  }
  [na, nb] = [Math.sqrt(na), Math.sqrt(nb)];
  if (na === 0 || nb === 0) return lerp(a, b, t);
  const omega = Math.acos(Math.min(1, Math.max(-1, dot / (na * nb))));
  if (omega < 1e-6 || Math.PI - omega < 1e-6) return lerp(a, b, t);
  if (t === 0) return Array.from(a);
  if (t === 1) return Array.from(b);
  const radius = (1 - t) * na + t * nb;
  const sa = (radius * Math.sin((1 - t) * omega)) / (Math.sin(omega) * na);
  const sb = (radius * Math.sin(t * omega)) / (Math.sin(omega) * nb);
  return Array.from({ length: a.length }, (_, k) => sa * a[k] + sb * b[k]);
}

/** `steps` points from a to b inclusive, by `lerp` or `slerp`. */
export function interpolatePath(a: ArrayLike<number>, b: ArrayLike<number>, steps: number, how: 'linear' | 'spherical' = 'linear'): number[][] {
  const f = how === 'linear' ? lerp : slerp;
  return Array.from({ length: steps }, (_, i) => f(a, b, steps === 1 ? 0 : i / (steps - 1)));
}
