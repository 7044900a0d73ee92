/** What the worker reads out of a model for display: decoder weights, latent codes, manifold images, test ELBO. */
import * as tf from '../core/tf';
import type { ImageDataset } from '../core/data/dataset';
import type { Codec } from '../core/model/codec';
import { evaluateElbo, type ElboSummary } from '../core/model/evaluate';
import type { Vae } from '../core/model/vae';
import type { DecoderSnapshot, DenseSnapshot, SnapshotActivation } from '../core/latent/mlp-decoder';
import { axisPlane, manifoldGrid, type LatentPlane } from '../core/latent/plane';
import type { ManifoldView } from './protocol';

/** A view of `count` examples starting at `start` (no copy). */
export function sliceDataset(d: ImageDataset, start: number, count: number): ImageDataset {
  const pixels = d.imageShape[0] * d.imageShape[1] * d.imageShape[2];
  const end = Math.min(d.count, start + count);
  return {
    images: d.images.subarray(start * pixels, end * pixels),
    labels: d.labels.subarray(start, end),
    count: Math.max(0, end - start),
    imageShape: [...d.imageShape],
  };
}

/**
 * Copies of an MLP decoder's dense layers (fresh buffers, safe to transfer); a conditional one's
 * first layer takes z and the one-hot class (`classes`). Throws for a decoder that is not an MLP.
 */
export async function decoderSnapshot(vae: Vae): Promise<DecoderSnapshot> {
  const { family, conditional, classes } = vae.config;
  // A conditional MLP's dense layers, in order (its join of z and the class is a Concatenate, not a weight).
  const dense = vae.decoderDenseLayers() ?? (family === 'mlp' && conditional ? vae.decoder.layers.filter((l) => l.getClassName() === 'Dense') : null);
  if (!dense) throw new Error(`A ${family} decoder has no dense-layer snapshot.`);
  const layers = await Promise.all(
    dense.map(async (layer): Promise<DenseSnapshot> => {
      const [kernel, bias] = layer.getWeights(); // [in, out], [out] (the variables themselves, not copies)
      const [k, b] = await Promise.all([kernel.data(), bias.data()]);
      return {
        kernel: new Float32Array(k as Float32Array),
        bias: new Float32Array(b as Float32Array),
        inDim: kernel.shape[0] as number,
        outDim: kernel.shape[1] as number,
        activation: ((layer.getConfig().activation as string | undefined) ?? 'linear') as SnapshotActivation,
      };
    }),
  );
  return conditional ? { layers, classes } : { layers };
}

/** Encoder means and log-variances of `data`: each [count, latentDim], fresh buffers. The codec must have an encoder. */
export async function encodeDataset(codec: Codec, data: ImageDataset): Promise<{ means: Float32Array; logVars: Float32Array }> {
  const { inputDim, encode } = codec;
  if (!encode) throw new Error('This model has no encoder.');
  const [meanT, logVarT] = tf.tidy(() => {
    const x = tf.tensor2d(data.images, [data.count, inputDim]); // [B, D]
    const { mean, logVar } = encode(x, data.labels); // [B, Z] each (a conditional model under each digit's class)
    return [mean, logVar];
  });
  const [means, logVars] = await Promise.all([meanT.data(), logVarT.data()]);
  tf.dispose([meanT, logVarT]);
  return { means: new Float32Array(means as Float32Array), logVars: new Float32Array(logVars as Float32Array) };
}

/** Decodes the n×n prior-quantile grid on a plane: bytes 0-255, [n*n, pixels]. */
export async function renderManifold(codec: Codec, n: number, plane: LatentPlane, base: number[]): Promise<Uint8Array> {
  const { latentDim } = codec;
  const grid = manifoldGrid(n, plane, base); // [n*n, Z]
  const pixelsT = tf.tidy(() => {
    const z = tf.tensor2d(grid, [n * n, latentDim]); // [n*n, Z]
    return tf.cast(tf.round(tf.mul(codec.decode(z), 255)), 'int32'); // [n*n, D]
  });
  const values = await pixelsT.data();
  pixelsT.dispose();
  return Uint8Array.from(values as Int32Array);
}

/** Test-set loss terms of one slice, as sums (so slices can be averaged exactly). */
export async function elboSums(vae: Vae, slice: ImageDataset, seed: number): Promise<{ reconstruction: number; kl: number; count: number }> {
  const s = await evaluateElbo(vae, slice, { batchSize: slice.count, seed });
  return { reconstruction: s.reconstruction * slice.count, kl: s.kl * slice.count, count: slice.count };
}

/** Dataset means from summed slices. */
export function summarise(sums: { reconstruction: number; kl: number; count: number }): ElboSummary {
  const n = Math.max(1, sums.count);
  return { reconstruction: sums.reconstruction / n, kl: sums.kl / n, total: (sums.reconstruction + sums.kl) / n };
}

/** A test split as bytes 0-255 (for thumbnails on the main thread): a fresh buffer. */
export function imagesAsBytes(d: ImageDataset): Uint8Array {
  const out = new Uint8Array(d.images.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(d.images[i] * 255);
  return out;
}

/** The manifold view to render for a model: the requested one if it fits the latent size, else z1/z2 through 0. */
export function fitView(view: ManifoldView | null, latentDim: number): { n: number; plane: LatentPlane; base: number[] } {
  const n = Math.max(1, Math.min(40, Math.round(view?.n ?? 15)));
  if (view && view.a1.length === latentDim && view.a2.length === latentDim && view.base.length === latentDim) return { n, plane: view, base: view.base };
  return { n, plane: axisPlane(latentDim, 0, 1), base: new Array<number>(latentDim).fill(0) };
}
