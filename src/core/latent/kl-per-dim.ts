/**
 * The KL term split by latent dimension. With a diagonal Gaussian posterior the KL to N(0, I) is a sum
 * over dimensions, KL_k = ½(μ_k² + σ_k² − log σ_k² − 1); averaged over a dataset it shows which
 * dimensions carry information. A dimension whose average KL is near zero has a posterior equal to
 * the prior for every input: the decoder learns to ignore it (posterior collapse, an "inactive" unit).
 */

/** Below this average KL (nats) a dimension counts as inactive (collapsed onto the prior). */
export const ACTIVE_KL_THRESHOLD = 0.01;

/** KL(q(z_k|x) || N(0, 1)) averaged over the examples, per dimension: means, logVars [count, latentDim] -> [latentDim], nats. */
export function klPerDimension(means: ArrayLike<number>, logVars: ArrayLike<number>, count: number, latentDim: number): Float64Array {
  const sums = new Float64Array(latentDim);
  for (let n = 0; n < count; n++) {
    const row = n * latentDim;
    for (let k = 0; k < latentDim; k++) {
      const mu = means[row + k];
      const lv = logVars[row + k];
      sums[k] += 0.5 * (mu * mu + Math.exp(lv) - lv - 1);
    }
  }
  if (count > 0) for (let k = 0; k < latentDim; k++) sums[k] /= count;
  return sums;
}

/** Indices of the dimensions whose average KL reaches `threshold` nats. */
export function activeDimensions(perDim: ArrayLike<number>, threshold = ACTIVE_KL_THRESHOLD): number[] {
  const out: number[] = [];
  for (let k = 0; k < perDim.length; k++) if (perDim[k] >= threshold) out.push(k);
  return out;
}
