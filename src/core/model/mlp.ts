/**
 * The MLP family: the encoder is a stack of dense layers ending in two dense heads, the mean and the
 * log-variance of q(z|x); the decoder mirrors the hidden layers and ends in a dense layer of logits.
 * Both are tf.LayersModels (so they save in the standard tfjs/Keras format); training runs the same
 * layers' weights through the training ops.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, DenseActivation, DenseParams, Gaussian, TrainingOps } from '../ops';
import type { VaeConfig } from './config';
import type { ModelFamily, VaeNetwork } from './families';

/** Layer names, the same a Keras VAE example uses for its heads. */
export const LAYER_NAMES = {
  encoderHidden: (i: number) => `encoder_dense_${i + 1}`,
  mean: 'z_mean',
  logVar: 'z_log_var',
  decoderHidden: (i: number) => `decoder_dense_${i + 1}`,
  decoderOutput: 'decoder_logits',
} as const;

function glorot(seed: number) {
  return tf.initializers.glorotUniform({ seed });
}

/** Builds q(z|x): input [null, inputDim] -> outputs [mean, logVar], each [null, latentDim]. */
export function buildEncoder(config: VaeConfig): tf.LayersModel {
  const input = tf.input({ shape: [config.inputDim], name: 'encoder_input' });
  let h: tf.SymbolicTensor = input;
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
  return tf.model({ inputs: input, outputs: [mean, logVar], name: 'encoder' });
}

/** Builds p(x|z): input [null, latentDim] -> logits [null, inputDim] (the decoder mirrors the encoder). */
export function buildDecoder(config: VaeConfig): tf.LayersModel {
  const input = tf.input({ shape: [config.latentDim], name: 'decoder_input' });
  let h: tf.SymbolicTensor = input;
  [...config.hidden].reverse().forEach((units, i) => {
    h = tf.layers
      .dense({ units, activation: config.activation, kernelInitializer: glorot(config.seed * 1000 + 200 + i), name: LAYER_NAMES.decoderHidden(i) })
      .apply(h) as tf.SymbolicTensor;
  });
  const logits = tf.layers
    .dense({ units: config.inputDim, kernelInitializer: glorot(config.seed * 1000 + 300), name: LAYER_NAMES.decoderOutput })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'decoder' });
}

/** A dense layer's variables and activation, by its name in a model; throws when it is not there. */
function denseParamsOf(model: tf.LayersModel, name: string): DenseParams {
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
    encode(x: Batch, ops: TrainingOps): Gaussian {
      const h = encoderHidden.reduce((a, layer) => ops.dense(a, layer), x); // [B, H]
      return ops.gaussianHeads(h, meanHead, logVarHead); // mean, logVar [B, Z]
    },
    decodeLogits(z: Batch, ops: TrainingOps): Batch {
      return decoderLayers.reduce((a, layer) => ops.dense(a, layer), z); // [B, D]
    },
    decoderDenseLayers: () => decoderNames.map((name) => decoder.getLayer(name)),
  };
}

/** The MLP VAE of the Keras example and of Kingma & Welling's paper. */
export const mlpFamily: ModelFamily = { name: 'mlp', buildEncoder, buildDecoder, bind };
