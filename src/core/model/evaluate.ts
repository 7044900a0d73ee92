/** Test-set quality: the average ELBO terms and the importance-weighted bound on log p(x). */
import * as tf from '../tf';
import type { ImageDataset } from '../data/dataset';
import { oneHot } from './conditional';
import { logNormalDensity, logStandardNormalDensity, reconstructionNll, reparameterize } from './elbo';
import type { Vae } from './vae';

/** Dataset means of the loss terms, nats per example. */
export interface ElboSummary {
  reconstruction: number;
  kl: number;
  /** reconstruction + kl: the negative ELBO (beta = 1), whatever beta training used. */
  total: number;
}

/** Options of an evaluation. */
export interface EvalOptions {
  /** Examples per forward pass. */
  batchSize?: number;
  /** Use only the first this many examples. */
  maxExamples?: number;
  /** Seed of the noise eps. */
  seed?: number;
}

function* batchesOf(dataset: ImageDataset, batchSize: number, maxExamples: number) {
  const pixels = dataset.imageShape[0] * dataset.imageShape[1] * dataset.imageShape[2];
  const count = Math.min(dataset.count, maxExamples);
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    yield { start, size, pixels: dataset.images.subarray(start * pixels, (start + size) * pixels), labels: dataset.labels.subarray(start, start + size), width: pixels };
  }
}

/** The negative ELBO on a dataset with one sample of z per example (as the PyTorch reference reports it). */
export async function evaluateElbo(vae: Vae, dataset: ImageDataset, options: EvalOptions = {}): Promise<ElboSummary> {
  const { batchSize = 1000, maxExamples = Infinity, seed = 12345 } = options;
  let rec = 0;
  let kl = 0;
  let count = 0;
  for (const b of batchesOf(dataset, batchSize, maxExamples)) {
    const sums = tf.tidy(() => {
      const x = tf.tensor2d(b.pixels, [b.size, b.width]); // [B, D]
      const eps = tf.randomNormal([b.size, vae.config.latentDim], 0, 1, 'float32', seed + b.start) as tf.Tensor2D; // [B, Z]
      const c = vae.config.conditional ? oneHot(b.labels, vae.config.classes) : undefined; // [B, C]
      const terms = vae.lossTerms(x, eps, c);
      return tf.stack([tf.sum(terms.reconstruction), tf.sum(terms.kl)]);
    });
    const [r, k] = await sums.data();
    sums.dispose();
    rec += r;
    kl += k;
    count += b.size;
  }
  return { reconstruction: rec / count, kl: kl / count, total: (rec + kl) / count };
}

/**
 * The importance-weighted lower bound on log p(x) with k samples (IWAE), averaged over the
 * dataset, nats per example: log (1/k) sum_i p(x, z_i) / q(z_i | x), z_i ~ q(z|x). k = 1 is the ELBO.
 */
export async function importanceWeightedLogLikelihood(
  vae: Vae,
  dataset: ImageDataset,
  k: number,
  options: EvalOptions = {},
): Promise<number> {
  const { batchSize = 100, maxExamples = Infinity, seed = 54321 } = options;
  const { latentDim, likelihood, gaussianVariance } = vae.config;
  let sum = 0;
  let count = 0;
  for (const b of batchesOf(dataset, batchSize, maxExamples)) {
    const total = tf.tidy(() => {
      const x = tf.tensor2d(b.pixels, [b.size, b.width]); // [B, D]
      const c = vae.config.conditional ? oneHot(b.labels, vae.config.classes) : undefined; // [B, C]
      const { mean, logVar } = vae.encode(x, c); // [B, Z]
      const tiledX = tf.tile(x, [k, 1]); // [k*B, D]
      const tiledMean = tf.tile(mean, [k, 1]); // [k*B, Z]
      const tiledLogVar = tf.tile(logVar, [k, 1]); // [k*B, Z]
      const eps = tf.randomNormal([k * b.size, latentDim], 0, 1, 'float32', seed + b.start) as tf.Tensor2D;
      const z = reparameterize(tiledMean, tiledLogVar, eps); // [k*B, Z]
      const tiledC = c ? tf.tile(c, [k, 1]) : undefined; // [k*B, C]
      const logPxGivenZ = tf.neg(reconstructionNll(vae.decodeLogits(z, tiledC), tiledX, likelihood, gaussianVariance)); // [k*B]
      const logWeights = tf.sub(tf.add(logPxGivenZ, logStandardNormalDensity(z)), logNormalDensity(z, tiledMean, tiledLogVar));
      const perExample = tf.sub(tf.logSumExp(tf.reshape(logWeights, [k, b.size]), 0), Math.log(k)); // [B]
      return tf.sum(perExample);
    });
    sum += (await total.data())[0];
    total.dispose();
    count += b.size;
  }
  return sum / count;
}
