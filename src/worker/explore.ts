/**
 * The worker's side of the exploring panels: encodes a few images (a drawing, a strip of test digits)
 * to their posteriors q(z|x), their reconstructions and their negative ELBO, and decodes a batch of
 * latent points (interpolation frames for a decoder the main thread cannot run).
 */
import * as tf from '../core/tf';
import { klToStandardNormal, reconstructionNll, reparameterize } from '../core/model/elbo';
import type { ActiveModel } from './model';
import type { WorkerEvent, WorkerRequest } from './protocol';

type EncodeRequest = Extract<WorkerRequest, { type: 'encode' }>;
type DecodeBatchRequest = Extract<WorkerRequest, { type: 'decode-batch' }>;

/** Most samples of z per image for the ELBO estimate. */
const MAX_SAMPLES = 64;
/** Most images per request. */
const MAX_IMAGES = 64;

/** Bernoulli -log p(x|z) from pixel probabilities (a foreign decoder gives no logits): p, x [B, D] -> [B]. */
function bernoulliNllFromProbabilities(p: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor1D {
  const q = tf.clipByValue(p, 1e-6, 1 - 1e-6); // [B, D]
  return tf.neg(tf.sum(tf.add(tf.mul(x, tf.log(q)), tf.mul(tf.sub(1, x), tf.log(tf.sub(1, q)))), 1));
}

/**
 * Answers `encode`: for each image its posterior mean and log-variance, its decoding at the mean and at
 * one sample z ~ q(z|x), and the terms of its negative ELBO (nats): the reconstruction NLL averaged over
 * `samples` draws of z, and the KL in closed form (NaN, with z at the mean, for an encoder without σ).
 * Throws in words when the model has no encoder.
 */
export async function encodeImages(model: ActiveModel, req: EncodeRequest): Promise<Extract<WorkerEvent, { type: 'encoded' }>> {
  const { codec, info } = model;
  const encode = codec.encode;
  if (!encode) throw new Error('This model is a decoder alone, so an image cannot be placed in its latent space (that needs an encoder).');
  const { inputDim: d, latentDim: zDim } = codec;
  const count = Math.floor(req.count);
  if (!(count >= 1 && count <= MAX_IMAGES) || req.images.length !== count * d) {
    throw new Error(`Expected 1 to ${MAX_IMAGES} images of ${d} pixels, got ${req.images.length} values for ${req.count}.`);
  }
  // An encoder that gives the mean alone (logVar NaN): no σ to sample with, so z is the mean and the KL unknown.
  const meanOnly = codec.hasLogVar === false;
  const samples = meanOnly ? 1 : Math.max(1, Math.min(MAX_SAMPLES, Math.floor(req.samples)));
  const vae = model.trainableVae;
  const likelihood = vae?.config.likelihood ?? info.likelihood ?? 'bernoulli';
  const out = tf.tidy(() => {
    const x = tf.tensor2d(req.images, [count, d]); // [n, D]
    const { mean, logVar } = encode(x); // [n, Z] each
    const eps = tf.randomNormal([samples * count, zDim], 0, 1, 'float32', req.seed) as tf.Tensor2D; // [S*n, Z]
    const z = meanOnly ? mean : reparameterize(tf.tile(mean, [samples, 1]), tf.tile(logVar, [samples, 1]), eps); // [S*n, Z], sample s of image i at row s*n + i
    const xs = tf.tile(x, [samples, 1]); // [S*n, D]
    let nll: tf.Tensor1D; // [S*n]
    if (vae) nll = reconstructionNll(vae.decodeLogits(z), xs, likelihood, vae.config.gaussianVariance);
    else if (likelihood === 'bernoulli') nll = bernoulliNllFromProbabilities(codec.decode(z), xs);
    else nll = tf.fill([samples * count], NaN) as tf.Tensor1D; // a foreign Gaussian decoder states no variance
    const reconstruction = tf.mean(tf.reshape(nll, [samples, count]), 0); // [n]
    const kl = meanOnly ? (tf.fill([count], NaN) as tf.Tensor1D) : klToStandardNormal(mean, logVar); // [n]
    const atMean = codec.decode(mean); // [n, D]
    const atSample = codec.decode(tf.slice(z, [0, 0], [count, zDim])); // [n, D]
    return [mean, logVar, atMean, atSample, reconstruction, kl];
  });
  const values = await Promise.all(out.map((t) => t.data()));
  tf.dispose(out);
  const [means, logVars, atMean, atSample, reconstruction, kl] = values.map((v) => new Float32Array(v as Float32Array));
  return {
    type: 'encoded',
    id: req.id,
    generation: info.generation,
    step: model.session?.step ?? 0,
    count,
    latentDim: zDim,
    means,
    logVars,
    atMean,
    atSample,
    reconstruction,
    kl,
  };
}

/** Answers `decode-batch`: pixel intensities in [0, 1] of `count` latent points, [count, D]. */
export async function decodeBatch(model: ActiveModel, req: DecodeBatchRequest): Promise<Extract<WorkerEvent, { type: 'decoded-batch' }>> {
  const { codec, info } = model;
  const count = Math.floor(req.count);
  if (!(count >= 1 && count <= MAX_IMAGES) || req.z.length !== count * codec.latentDim) {
    throw new Error(`Expected 1 to ${MAX_IMAGES} points of ${codec.latentDim} coordinates, got ${req.z.length} values for ${req.count}.`);
  }
  const pixelsT = tf.tidy(() => codec.decode(tf.tensor2d(req.z, [count, codec.latentDim]))); // [n, D]
  const pixels = new Float32Array((await pixelsT.data()) as Float32Array);
  pixelsT.dispose();
  return { type: 'decoded-batch', id: req.id, generation: info.generation, pixels };
}
