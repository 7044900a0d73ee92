/** The standard normal distribution: inverse CDF (for prior quantiles), evenly spaced points, sampling. */
import type { Rng } from '../random';

// Coefficients of Acklam's rational approximation of the inverse normal CDF (relative error < 1.2e-9).
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/** The standard normal CDF Φ(x) (Abramowitz–Stegun 7.1.26 on erf; absolute error < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** The inverse standard normal CDF Φ⁻¹(p) (scipy's `norm.ppf`): ppf(0.975) ≈ 1.959964. */
export function normalPpf(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  } else if (p <= 1 - P_LOW) {
    const q = p - 0.5;
    const r = q * q;
    return ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
      (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
}

/** `n` evenly spaced numbers from `start` to `stop` inclusive (numpy's `linspace`). */
export function linspace(start: number, stop: number, n: number): number[] {
  if (n <= 0) return [];
  if (n === 1) return [start];
  const step = (stop - start) / (n - 1);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? stop : start + i * step));
}

/** Prior quantiles for an n-point grid axis: Φ⁻¹(linspace(lo, hi, n)), as in Keras' VAE example. */
export function priorQuantiles(n: number, lo = 0.05, hi = 0.95): number[] {
  return linspace(lo, hi, n).map(normalPpf);
}

/** A draw z ~ N(0, I) of the given dimension (Box–Muller on a uniform generator). */
export function sampleStandardNormal(dim: number, rng: Rng = Math.random): number[] {
  const z: number[] = [];
  while (z.length < dim) {
    const u1 = Math.max(rng(), Number.MIN_VALUE);
    const u2 = rng();
    const radius = Math.sqrt(-2 * Math.log(u1));
    z.push(radius * Math.cos(2 * Math.PI * u2));
    if (z.length < dim) z.push(radius * Math.sin(2 * Math.PI * u2));
  }
  return z;
}
