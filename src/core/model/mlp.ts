/**
 * The MLP family: the encoder is a stack of dense layers ending in two dense heads, the mean and the
 * log-variance of q(z|x); the decoder mirrors the hidden layers and ends in a dense layer of logits.
 * Both are tf.LayersModels (so they save in the standard tfjs/Keras format); training runs the same
 * layers' weights through the training ops.
 */
import * as tf from '../tf';
import type { Batch, DenseActivation, DenseParams, Gaussian, TrainingOps } from '../ops';
import { classInput, joinClass, joinClassToData, requireClass } from './conditional';
import type { VaeConfig } from './config';
import type { ModelFamily, VaeNetwork } from './families';

/** Layer names, the same a Keras VAE example uses for its heads. */
export const LAYER_NAMES = {
  encoderHidden: (i: number) => `encoder_dense_${i + 1}`,
  mean: 'z_mean',
  logVar: 'z_log_var',
  decoderHidden: (i: number) => `decoder_dense_${i + 1}`,
  decoderOutput: 'decoder_logits',
  encoderClass: 'encoder_class',
  decoderClass: 'decoder_class',
} as const;

function glorot(seed: number) {
  return tf.initializers.glorotUniform({ seed });
}

/** Builds q(z|x): input [null, inputDim] (conditional: and the class [null, classes]) -> outputs [mean, logVar], each [null, latentDim]. */
export function buildEncoder(config: VaeConfig): tf.LayersModel {
  const input = tf.input({ shape: [config.inputDim], name: 'encoder_input' });
  const c = config.conditional ? classInput(config.classes, LAYER_NAMES.encoderClass) : null;
  let h: tf.SymbolicTensor = c ? (tf.layers.concatenate({ name: 'encoder_join' }).apply([input, c]) as tf.SymbolicTensor) : input; // [null, D (+ C)]
  config.hidden.forEach((units, i) => {
    h = tf.layers
      .dense({ units, activation: config.activation, kernelInitializer: glorot(config.seed * 1000 + i), name: LAYER_NAMES.encoderHidden(i) })
      .apply(h) as tf.SymbolicTensor;
  });
  const head = (name: string, seedOffset: number) =>
    tf.layers
      .dense({ units: config.latentDim, kernelInitializer: glorot(config.seed * 1000 + seedOffset), name })
      .apply(h) as tf.SymbolicTensor;
  const mean = head(LAYER_NAMES.mean, 100);
  const logVar = head(LAYER_NAMES.logVar, 101);
  return tf.model({ inputs: c ? [input, c] : input, outputs: [mean, logVar], name: 'encoder' });
}

/** Builds p(x|z): input [null, latentDim] (conditional: and the class [null, classes]) -> logits [null, inputDim]; it mirrors the encoder. */
export function buildDecoder(config: VaeConfig): tf.LayersModel {
  const input = tf.input({ shape: [config.latentDim], name: 'decoder_input' });
  const c = config.conditional ? classInput(config.classes, LAYER_NAMES.decoderClass) : null;
  let h: tf.SymbolicTensor = c ? (tf.layers.concatenate({ name: 'decoder_join' }).apply([input, c]) as tf.SymbolicTensor) : input; // [null, Z (+ C)]
  [...config.hidden].reverse().forEach((units, i) => {
    h = tf.layers
      .dense({ units, activation: config.activation, kernelInitializer: glorot(config.seed * 1000 + 200 + i), name: LAYER_NAMES.decoderHidden(i) })
      .apply(h) as tf.SymbolicTensor;
  });
  const logits = tf.layers
    .dense({ units: config.inputDim, kernelInitializer: glorot(config.seed * 1000 + 300), name: LAYER_NAMES.decoderOutput })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: c ? [input, c] : input, outputs: logits, name: 'decoder' });
}

/** A dense layer's variables and activation, by its name in a model; throws when it is not there. */
export function denseParamsOf(model: tf.LayersModel, name: string): DenseParams {
  const layer = model.getLayer(name);
  const [kernel, bias] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  const activation = (layer.getConfig().activation ?? 'linear') as DenseActivation;
  if (!kernel || !bias) throw new Error(`Layer ${name} has no kernel and bias`);
  return { kernel, bias, activation };
}

/** The forward pass of an MLP encoder and decoder over their layers' weights. */
function bind(config: VaeConfig, encoder: tf.LayersModel, decoder: tf.LayersModel): VaeNetwork {
  const encoderHidden = config.hidden.map((_, i) => denseParamsOf(encoder, LAYER_NAMES.encoderHidden(i)));
  const meanHead = denseParamsOf(encoder, LAYER_NAMES.mean);
  const logVarHead = denseParamsOf(encoder, LAYER_NAMES.logVar);
  const decoderNames = [...config.hidden.map((_, i) => LAYER_NAMES.decoderHidden(i)), LAYER_NAMES.decoderOutput];
  const decoderLayers = decoderNames.map((name) => denseParamsOf(decoder, name));
  return {
    encode(x: Batch, ops: TrainingOps, c?: tf.Tensor2D): Gaussian {
      const input = config.conditional ? joinClassToData(x, requireClass(c, 'encode'), ops) : x; // [B, D (+ C)]
      const h = encoderHidden.reduce((a, layer) => ops.dense(a, layer), input); // [B, H]
      return ops.gaussianHeads(h, meanHead, logVarHead); // mean, logVar [B, Z]
    },
    decodeLogits(z: Batch, ops: TrainingOps, c?: tf.Tensor2D): Batch {
      const input = config.conditional ? joinClass(z, requireClass(c, 'decode'), ops) : z; // [B, Z (+ C)]
      return decoderLayers.reduce((a, layer) => ops.dense(a, layer), input); // [B, D]
    },
    // Null for a conditional decoder: its first layer takes z and the class (the worker's readouts.ts snapshots it with `classes`).
    decoderDenseLayers: () => (config.conditional ? null : decoderNames.map((name) => decoder.getLayer(name))),
  };
}

/** The MLP VAE of the Keras example and of Kingma & Welling's paper. */
export const mlpFamily: ModelFamily = { name: 'mlp', buildEncoder, buildDecoder, bind };
