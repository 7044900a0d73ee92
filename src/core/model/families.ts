/**
 * Model families: what a kind of encoder/decoder pair provides (its two LayersModels and their
 * forward pass), and the registry `VaeConfig.family` names one from. A new family is a new file
 * here and a line in FAMILIES; the Vae, the trainer, the worker and the weights IO take any of them.
 */
import type * as tf from '../tf';
import type { Batch, Gaussian, TrainingOps } from '../ops';
import type { FamilyName, VaeConfig } from './config';
import { convFamily } from './conv';
import { mlpFamily } from './mlp';

/** One model's encoder and decoder as functions of the training ops, differentiable in their weights. */
export interface VaeNetwork {
  /** q(z|x) (conditional: q(z|x, c), c one-hot [B, C]): the data x [B, D] -> the mean and log-variance of z, each [B, Z]. */
  encode(x: Batch, ops: TrainingOps, c?: tf.Tensor2D): Gaussian;
  /** p(x|z)'s logits (conditional: p(x|z, c)): z [B, Z] -> [B, D]. */
  decodeLogits(z: Batch, ops: TrainingOps, c?: tf.Tensor2D): Batch;
  /** The decoder's dense layers, first to last, when it is a plain MLP (the main thread then decodes a copy); else null. */
  decoderDenseLayers(): tf.layers.Layer[] | null;
}

/** A kind of encoder/decoder pair. */
export interface ModelFamily {
  /** Its name in `VaeConfig.family`. */
  readonly name: FamilyName;
  /** q(z|x) as a LayersModel: input [null, inputDim] (conditional: and [null, classes]) -> outputs [mean, logVar], each [null, latentDim]. */
  buildEncoder(config: VaeConfig): tf.LayersModel;
  /** p(x|z) as a LayersModel: input [null, latentDim] (conditional: and [null, classes]) -> logits [null, inputDim]. */
  buildDecoder(config: VaeConfig): tf.LayersModel;
  /** The forward pass over these models' weights; throws in words when a layer the config implies is missing. */
  bind(config: VaeConfig, encoder: tf.LayersModel, decoder: tf.LayersModel): VaeNetwork;
}

/** Every family, by name. */
const FAMILIES: { readonly [K in FamilyName]: ModelFamily } = {
  mlp: mlpFamily,
  conv: convFamily,
};

/** The family a config names. */
export function familyOf(config: VaeConfig): ModelFamily {
  const family = FAMILIES[config.family];
  if (!family) throw new Error(`Unknown model family "${config.family}"`);
  return family;
}
