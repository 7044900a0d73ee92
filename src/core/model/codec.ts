/** What the displays need from any model, trainable here or not: encode images to q(z|x), decode z to pixels. */
import * as tf from '../tf';
import { oneHot } from './conditional';
import type { Vae } from './vae';

/** An encoder (optional) and a decoder behind one batch-major interface. Tensor results belong to the caller. */
export interface Codec {
  /** Dimension of z. */
  readonly latentDim: number;
  /** Pixels per image (784). */
  readonly inputDim: number;
  /**
   * q(z|x): x [B, D] in [0, 1] -> mean, logVar [B, Z]; null when the model has no encoder. logVar is NaN when `hasLogVar` is false.
   * A conditional model encodes under `labels` [B] (the images' classes), else under `decodeClass`.
   */
  readonly encode: ((x: tf.Tensor2D, labels?: ArrayLike<number>) => { mean: tf.Tensor2D; logVar: tf.Tensor2D }) | null;
  /** False for an encoder that gives the mean alone (no σ, KL or ELBO can be computed); true when absent. */
  readonly hasLogVar?: boolean;
  /** Pixel intensities in [0, 1]: z [B, Z] -> [B, D]; a conditional model decodes under `labels` [B], else under `decodeClass`. */
  decode(z: tf.Tensor2D, labels?: ArrayLike<number>): tf.Tensor2D;
  /** A conditional model's number of classes; absent for others. */
  readonly classes?: number;
  /** A conditional model's class for decoding (the app's class picker), 0 to classes - 1. */
  decodeClass?: number;
}

/** The Codec of a VAE of this app (its forward pass through the training ops). */
export function vaeCodec(vae: Vae): Codec {
  const { conditional, classes, latentDim, inputDim } = vae.config;
  if (!conditional) return { latentDim, inputDim, encode: (x) => vae.encode(x), decode: (z) => vae.decode(z) };
  // One-hot classes [B, C]: the labels given, else the decoding class for every row.
  const classRows = (rows: number, labels?: ArrayLike<number>) => oneHot(labels ?? new Array<number>(rows).fill(codec.decodeClass ?? 0), classes);
  // For placing images in the latent space only: a label outside the model's classes (a dataset with more
  // classes than the model was made for) gets an all-zero condition row instead of an error. [B] -> [B, C]
  const encodeRows = (labels: ArrayLike<number>) => tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from(labels, (l) => (l >= 0 && l < classes ? l : -1)), 'int32'), classes), 'float32') as tf.Tensor2D);
  const codec: Codec = {
    latentDim,
    inputDim,
    classes,
    decodeClass: 0,
    encode: (x, labels) => tf.tidy(() => vae.encode(x, labels ? encodeRows(labels) : classRows(x.shape[0]))),
    decode: (z, labels) => tf.tidy(() => vae.decode(z, classRows(z.shape[0], labels))),
  };
  return codec;
}

/** A conditional model's decodings of one latent point under every class: [classes * D], class by class. */
export async function decodeEveryClass(codec: Codec, z: readonly number[]): Promise<Float32Array> {
  const classes = codec.classes ?? 1;
  const labels = Array.from({ length: classes }, (_, c) => c);
  const pixels = tf.tidy(() => codec.decode(tf.tile(tf.tensor2d([Array.from(z)], [1, codec.latentDim]), [classes, 1]) as tf.Tensor2D, labels)); // [C, D]
  const values = await pixels.data();
  pixels.dispose();
  return new Float32Array(values as Float32Array);
}

/** Decodes one latent point to pixel intensities [D]. */
export async function decodePoint(codec: Codec, z: readonly number[]): Promise<Float32Array> {
  const pixels = tf.tidy(() => codec.decode(tf.tensor2d([Array.from(z)], [1, codec.latentDim]))); // [1, D]
  const values = await pixels.data();
  pixels.dispose();
  return new Float32Array(values as Float32Array);
}
