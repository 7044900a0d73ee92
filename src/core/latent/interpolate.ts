/** Paths between latent points: straight lines, and great circles (which suit a Gaussian prior). */

/** The point a fraction t of the way from a to b on a straight line. */
export function lerp(a: ArrayLike<number>, b: ArrayLike<number>, t: number): number[] {
  return Array.from({ length: a.length }, (_, k) => a[k] + (b[k] - a[k]) * t);
}

/**
 * Spherical interpolation: keeps the norm roughly constant along the path, so intermediate points
 * stay where the N(0, I) prior puts its mass (a straight line passes near the unlikely origin).
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
  const cosine = dot / (Math.sqrt(na * nb) || 1);
  const omega = Math.acos(Math.min(1, Math.max(-1, cosine)));
  if (omega < 1e-6 || Math.PI - omega < 1e-6) return lerp(a, b, t);
  const sa = Math.sin((1 - t) * omega) / Math.sin(omega);
  const sb = Math.sin(t * omega) / Math.sin(omega);
  return Array.from({ length: a.length }, (_, k) => sa * a[k] + sb * b[k]);
}

/** `steps` points from a to b inclusive, by `lerp` or `slerp`. */
export function interpolatePath(a: ArrayLike<number>, b: ArrayLike<number>, steps: number, how: 'linear' | 'spherical' = 'linear'): number[][] {
  const f = how === 'linear' ? lerp : slerp;
  return Array.from({ length: steps }, (_, i) => f(a, b, steps === 1 ? 0 : i / (steps - 1)));
}
