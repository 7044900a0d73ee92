/**
 * The terms of the negative ELBO, in nats per example:
 *   loss = E_q[-log p(x|z)] + beta * KL(q(z|x) || N(0, I)),  z = mu + exp(logVar / 2) * eps.
 */
import * as tf from '../tf';
import type { Likelihood } from './config';

const LOG_2PI = Math.log(2 * Math.PI);

/** The reparameterization trick: z = mean + exp(logVar / 2) * eps, all [B, Z]. */
export function reparameterize(mean: tf.Tensor2D, logVar: tf.Tensor2D, eps: tf.Tensor2D): tf.Tensor2D {
  return tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
}

/** KL(N(mean, exp(logVar)) || N(0, I)) in closed form, per example: [B, Z] -> [B]. */
export function klToStandardNormal(mean: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor1D {
  // -0.5 * sum(1 + logVar - mean^2 - exp(logVar))
  const perDim = tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), tf.add(logVar, 1)); // [B, Z]
  return tf.mul(tf.sum(perDim, 1), 0.5);
}

/**
 * Bernoulli negative log-likelihood from logits, per example: logits, x [B, D] -> [B]. Stable form:
 * max(l, 0) - l*x + log(1 + exp(-|l|)); its gradient, given explicitly, is sigmoid(l) - x.
 */
export function bernoulliNll(logits: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor1D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const l = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    save([l, x]);
    // log(1 + exp(-|l|)) = -log(sigmoid(|l|)); sigmoid(|l|) >= 0.5, so the log is well conditioned
    const perPixel = tf.sub(tf.sub(tf.relu(l), tf.mul(l, x)), tf.log(tf.sigmoid(tf.abs(l)))); // [B, D]
    return {
      value: tf.sum(perPixel, 1),
      gradFunc: (dy: tf.Tensor, [ls, xs]: tf.Tensor[]) => tf.mul(tf.sub(tf.sigmoid(ls), xs), tf.expandDims(dy, 1)), // [B, D]
    };
  });
  return op(logits) as tf.Tensor1D;
}

/**
 * Gaussian negative log-likelihood with mean sigmoid(logits) and fixed variance, per example:
 * logits, x [B, D] -> [B]. Equals squared error / (2 variance) plus a constant.
 */
export function gaussianNll(logits: tf.Tensor2D, x: tf.Tensor2D, variance: number): tf.Tensor1D {
  const pixels = logits.shape[1];
  const squaredError = tf.sum(tf.squaredDifference(tf.sigmoid(logits), x), 1); // [B]
  return tf.add(tf.div(squaredError, 2 * variance), 0.5 * pixels * (LOG_2PI + Math.log(variance)));
}

/** -log p(x|z) per example for the given likelihood: logits, x [B, D] -> [B]. */
export function reconstructionNll(logits: tf.Tensor2D, x: tf.Tensor2D, likelihood: Likelihood, variance: number): tf.Tensor1D {
  return likelihood === 'bernoulli' ? bernoulliNll(logits, x) : gaussianNll(logits, x, variance);
}

/** log N(z; mean, exp(logVar)) summed over dimensions: [B, Z] -> [B]. */
export function logNormalDensity(z: tf.Tensor2D, mean: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor1D {
  const zDim = z.shape[1];
  const mahalanobis = tf.div(tf.squaredDifference(z, mean), tf.exp(logVar)); // [B, Z]
  return tf.mul(tf.add(tf.sum(tf.add(mahalanobis, logVar), 1), zDim * LOG_2PI), -0.5);
}

/** log N(z; 0, I) summed over dimensions: [B, Z] -> [B]. */
export function logStandardNormalDensity(z: tf.Tensor2D): tf.Tensor1D {
  const zDim = z.shape[1];
  return tf.mul(tf.add(tf.sum(tf.square(z), 1), zDim * LOG_2PI), -0.5);
}
