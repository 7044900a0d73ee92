/** What the displays need from any model, trainable here or not: encode images to q(z|x), decode z to pixels. */
import * as tf from '../tf';
import type { Vae } from './vae';

/** An encoder (optional) and a decoder behind one batch-major interface. Tensor results belong to the caller. */
export interface Codec {
  /** Dimension of z. */
  readonly latentDim: number;
  /** Pixels per image (784). */
  readonly inputDim: number;
  /** q(z|x): x [B, D] in [0, 1] -> mean, logVar [B, Z]; null when the model has no encoder. logVar is NaN when `hasLogVar` is false. */
  readonly encode: ((x: tf.Tensor2D) => { mean: tf.Tensor2D; logVar: tf.Tensor2D }) | null;
  /** False for an encoder that gives the mean alone (no σ, KL or ELBO can be computed); true when absent. */
  readonly hasLogVar?: boolean;
  /** Pixel intensities in [0, 1]: z [B, Z] -> [B, D]. */
  decode(z: tf.Tensor2D): tf.Tensor2D;
}

/** The Codec of a VAE of this app (its forward pass through the training ops). */
export function vaeCodec(vae: Vae): Codec {
  return {
    latentDim: vae.config.latentDim,
    inputDim: vae.config.inputDim,
    encode: (x) => vae.encode(x),
    decode: (z) => vae.decode(z),
  };
}

/** Decodes one latent point to pixel intensities [D]. */
export async function decodePoint(codec: Codec, z: readonly number[]): Promise<Float32Array> {
  const pixels = tf.tidy(() => codec.decode(tf.tensor2d([Array.from(z)], [1, codec.latentDim]))); // [1, D]
  const values = await pixels.data();
  pixels.dispose();
  return new Float32Array(values as Float32Array);
}
