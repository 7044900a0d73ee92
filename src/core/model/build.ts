/** Encoder and decoder as tf.LayersModel (so they save in the standard tfjs/Keras format). */
import * as tf from '@tensorflow/tfjs';
import type { VaeConfig } from './config';

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
