/**
 * The ELBO's terms feature-major ([features, B], the accelerator's layout), with the fused kernels
 * of latent-sample.ts and bernoulli.ts where they run. The same math as ../model/elbo.ts, which is
 * the reference these are tested against.
 */
import * as tf from '../tf';
import { bernoulliNll } from '../model/elbo';
import { canFuseBernoulli, fusedBernoulliNll, scaleColumns } from './bernoulli';
import { canFuseLatentSample, fusedLatentSample } from './latent-sample';
import { transpose2d } from './transpose';

const LOG_2PI = Math.log(2 * Math.PI);

/** The encoder's merged head [2Z, B] as its mean rows and its log-variance rows, each [Z, B]. */
export function splitLatentHead(head: tf.Tensor2D): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
  const latent = head.shape[0] / 2;
  return { mean: tf.slice(head, [0, 0], [latent, -1]), logVar: tf.slice(head, [latent, 0], [latent, -1]) };
}

/**
 * z by the reparameterization trick and KL(q(z|x) || N(0, I)) per example, from the encoder's
 * merged head [2Z, B] (mean rows, then log-variance rows) and eps [Z, B] -> z [Z, B], kl [B].
 * One fused kernel and its gradient on wasm; stock ops elsewhere.
 */
export function sampleLatentColumns(head: tf.Tensor2D, eps: tf.Tensor2D): { z: tf.Tensor2D; kl: tf.Tensor1D } {
  if (canFuseLatentSample()) return fusedLatentSample(head, eps);
  const { mean, logVar } = splitLatentHead(head); // [Z, B] each
  const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)) as tf.Tensor2D;
  const perDim = tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), tf.add(logVar, 1)); // [Z, B]
  return { z, kl: tf.mul(tf.sum(perDim, 0), 0.5) as tf.Tensor1D };
}

/**
 * Bernoulli negative log-likelihood per example, feature-major: logits, x [D, B] -> [B]. One wasm
 * kernel that also gives the gradient, for B a multiple of 4; else ../model/elbo.ts' bernoulliNll.
 */
export function bernoulliNllColumns(logits: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor1D {
  if (!canFuseBernoulli(logits.shape)) return bernoulliNll(transpose2d(logits), transpose2d(x));
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[1] as tf.GradSaveFunc;
    const { nll, grad } = fusedBernoulliNll(args[0] as tf.Tensor2D, x);
    save([grad]);
    return {
      value: nll,
      gradFunc: (dy: tf.Tensor, [g]: tf.Tensor[]) => scaleColumns(g as tf.Tensor2D, dy as tf.Tensor1D), // [D, B]
    };
  });
  return op(logits) as tf.Tensor1D;
}

/** Gaussian negative log-likelihood (mean sigmoid(logits), fixed variance) per example, feature-major: [D, B] -> [B]. */
export function gaussianNllColumns(logits: tf.Tensor2D, x: tf.Tensor2D, variance: number): tf.Tensor1D {
  const pixels = logits.shape[0];
  const squaredError = tf.sum(tf.squaredDifference(tf.sigmoid(logits), x), 0); // [B]
  return tf.add(tf.div(squaredError, 2 * variance), 0.5 * pixels * (LOG_2PI + Math.log(variance)));
}
