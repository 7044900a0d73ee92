/**
 * The convolutional family: the Keras example's VAE (keras.io/examples/generative/vae).
 *   encoder: 28x28x1 -> Conv2D 32 (3x3, stride 2, same, ReLU) -> Conv2D 64 (same) -> Flatten -> Dense 16 ReLU -> z_mean, z_log_var
 *   decoder: z -> Dense 7*7*64 ReLU -> Reshape -> Conv2DTranspose 64, 32 (3x3, stride 2, same, ReLU) -> Conv2DTranspose 1 (logits)
 * Conditional: the one-hot class joins the flattened features before Dense 16, and z before the
 * decoder's Dense. Training runs the convolutions through conv-ops.ts (gradients every backend has).
 */
import * as tf from '../tf';
import type { Batch, Gaussian, TrainingOps } from '../ops';
import { classInput, joinClass, requireClass } from './conditional';
import type { VaeConfig } from './config';
import { conv2dSame, conv2dTransposeByPhases, conv2dTransposeSame, transposePhaseKernel, type TransposeGeometry } from './conv-ops';
import type { ModelFamily, VaeNetwork } from './families';
import { denseParamsOf } from './mlp';

/** Layer names (the dense heads as in the MLP family). */
export const CONV_LAYER_NAMES = {
  encoderConv: (i: number) => `encoder_conv_${i + 1}`,
  encoderDense: 'encoder_dense_1',
  mean: 'z_mean',
  logVar: 'z_log_var',
  decoderDense: 'decoder_dense_1',
  decoderDeconv: (i: number) => `decoder_deconv_${i + 1}`,
} as const;

/** The encoder's and the decoder's convolutions: filters and strides (3x3 kernels, 'same' padding). */
const ENCODER_CONVS = [
  { filters: 32, stride: 2 },
  { filters: 64, stride: 2 },
];
const DECODER_DECONVS = [
  { filters: 64, stride: 2, activation: 'relu' },
  { filters: 32, stride: 2, activation: 'relu' },
  { filters: 1, stride: 1, activation: 'linear' },
] as const;
/** Units of the encoder's dense layer. */
const ENCODER_DENSE = 16;
/** The decoder's first feature map: 7x7x64. */
const SEED_MAP: [number, number, number] = [7, 7, 64];

const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });

/** Builds q(z|x): input [null, 784] (conditional: and the class [null, classes]) -> [mean, logVar], each [null, latentDim]. */
function buildEncoder(config: VaeConfig): tf.LayersModel {
  const input = tf.input({ shape: [config.inputDim], name: 'encoder_input' });
  let h = tf.layers.reshape({ targetShape: [28, 28, 1], name: 'encoder_image' }).apply(input) as tf.SymbolicTensor; // [null, 28, 28, 1]
  ENCODER_CONVS.forEach(({ filters, stride }, i) => {
    const conv = tf.layers.conv2d({ filters, kernelSize: 3, strides: stride, padding: 'same', activation: 'relu', kernelInitializer: glorot(config.seed * 1000 + i), name: CONV_LAYER_NAMES.encoderConv(i) });
    h = conv.apply(h) as tf.SymbolicTensor;
  });
  h = tf.layers.flatten({ name: 'encoder_flatten' }).apply(h) as tf.SymbolicTensor; // [null, 3136]
  const c = config.conditional ? classInput(config.classes, 'encoder_class') : null;
  if (c) h = tf.layers.concatenate({ name: 'encoder_join' }).apply([h, c]) as tf.SymbolicTensor; // [null, 3136 + C]
  h = tf.layers.dense({ units: ENCODER_DENSE, activation: 'relu', kernelInitializer: glorot(config.seed * 1000 + 10), name: CONV_LAYER_NAMES.encoderDense }).apply(h) as tf.SymbolicTensor;
  const head = (name: string, seedOffset: number) =>
    tf.layers.dense({ units: config.latentDim, kernelInitializer: glorot(config.seed * 1000 + seedOffset), name }).apply(h) as tf.SymbolicTensor;
  const outputs = [head(CONV_LAYER_NAMES.mean, 100), head(CONV_LAYER_NAMES.logVar, 101)];
  return tf.model({ inputs: c ? [input, c] : input, outputs, name: 'encoder' });
}

/** Builds p(x|z): input [null, latentDim] (conditional: and the class [null, classes]) -> logits [null, 784]. */
function buildDecoder(config: VaeConfig): tf.LayersModel {
  const input = tf.input({ shape: [config.latentDim], name: 'decoder_input' });
  const c = config.conditional ? classInput(config.classes, 'decoder_class') : null;
  let h = c ? (tf.layers.concatenate({ name: 'decoder_join' }).apply([input, c]) as tf.SymbolicTensor) : input; // [null, Z (+ C)]
  const units = SEED_MAP[0] * SEED_MAP[1] * SEED_MAP[2];
  h = tf.layers.dense({ units, activation: 'relu', kernelInitializer: glorot(config.seed * 1000 + 200), name: CONV_LAYER_NAMES.decoderDense }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.reshape({ targetShape: SEED_MAP, name: 'decoder_map' }).apply(h) as tf.SymbolicTensor; // [null, 7, 7, 64]
  DECODER_DECONVS.forEach(({ filters, stride, activation }, i) => {
    const deconv = tf.layers.conv2dTranspose({ filters, kernelSize: 3, strides: stride, padding: 'same', activation, kernelInitializer: glorot(config.seed * 1000 + 300 + i), name: CONV_LAYER_NAMES.decoderDeconv(i) });
    h = deconv.apply(h) as tf.SymbolicTensor;
  }); // [null, 28, 28, 1]
  const logits = tf.layers.flatten({ name: 'decoder_logits' }).apply(h) as tf.SymbolicTensor; // [null, 784]
  return tf.model({ inputs: c ? [input, c] : input, outputs: logits, name: 'decoder' });
}

/** A convolution layer's kernel and bias variables, by name; throws when it is not there. */
function convParamsOf(model: tf.LayersModel, name: string): { kernel: tf.Variable; bias: tf.Variable } {
  const [kernel, bias] = model.getLayer(name).trainableWeights.map((w) => w.read() as tf.Variable);
  if (!kernel || !bias) throw new Error(`Layer ${name} has no kernel and bias`);
  return { kernel, bias };
}

/** The forward pass of the convolutional encoder and decoder over their layers' weights. */
function bind(config: VaeConfig, encoder: tf.LayersModel, decoder: tf.LayersModel): VaeNetwork {
  const convs = ENCODER_CONVS.map(({ stride }, i) => ({ stride, ...convParamsOf(encoder, CONV_LAYER_NAMES.encoderConv(i)) }));
  const encoderDense = denseParamsOf(encoder, CONV_LAYER_NAMES.encoderDense);
  const meanHead = denseParamsOf(encoder, CONV_LAYER_NAMES.mean);
  const logVarHead = denseParamsOf(encoder, CONV_LAYER_NAMES.logVar);
  const decoderDense = denseParamsOf(decoder, CONV_LAYER_NAMES.decoderDense);
  const deconvs = DECODER_DECONVS.map(({ stride, activation }, i) => ({ stride, activation, ...convParamsOf(decoder, CONV_LAYER_NAMES.decoderDeconv(i)) }));
  return {
    encode(x: Batch, ops: TrainingOps, c?: tf.Tensor2D): Gaussian {
      const rows = ops.rows(x); // [B, 784]
      let h = tf.reshape(rows, [-1, 28, 28, 1]) as tf.Tensor4D; // [B, 28, 28, 1]
      for (const { kernel, bias, stride } of convs) h = tf.relu(tf.add(conv2dSame(h, kernel as tf.Tensor4D, stride), bias)); // [B, 14, 14, 32], [B, 7, 7, 64]
      let flat = ops.batch(tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D); // [B, 3136]
      if (config.conditional) flat = joinClass(flat, requireClass(c, 'encode'), ops); // [B, 3136 + C]
      return ops.gaussianHeads(ops.dense(flat, encoderDense), meanHead, logVarHead); // mean, logVar [B, Z]
    },
    decodeLogits(z: Batch, ops: TrainingOps, c?: tf.Tensor2D): Batch {
      const input = config.conditional ? joinClass(z, requireClass(c, 'decode'), ops) : z; // [B, Z (+ C)]
      const seed = ops.rows(ops.dense(input, decoderDense)); // [B, 3136]
      let h = tf.reshape(seed, [-1, ...SEED_MAP]) as tf.Tensor4D; // [B, 7, 7, 64]
      for (const { kernel, bias, stride, activation } of deconvs) {
        const pre = tf.add(conv2dTransposeSame(h, kernel as tf.Tensor4D, stride), bias) as tf.Tensor4D; // [B, 14, 14, 64], [B, 28, 28, 32], [B, 28, 28, 1]
        h = activation === 'relu' ? tf.relu(pre) : pre;
      }
      return ops.batch(tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D); // [B, 784]
    },
    decoderDenseLayers: () => null,
  };
}

/**
 * The conv decoder p(x|z) for decoding points with weights that stay fixed for a while (the page's
 * decoder copy, src/worker/decoder-copy.ts): the same network as `bind`'s, with the transposed
 * convolutions' taps arranged by output phase once, when the weights are taken, instead of on every
 * call (for one point that arrangement costs as much as the convolution). Takes copies of the
 * weights: later changes to `decoder` are not seen. Owns its tensors until `dispose`.
 */
export class ConvPointDecoder {
  private readonly dense: { kernel: tf.Tensor2D; bias: tf.Tensor1D; relu: boolean };
  private readonly deconvs: { kernel: tf.Tensor4D; bias: tf.Tensor1D; relu: boolean; geometry: TransposeGeometry }[];

  constructor(
    private readonly config: Readonly<VaeConfig>,
    decoder: tf.LayersModel,
  ) {
    const d = denseParamsOf(decoder, CONV_LAYER_NAMES.decoderDense);
    this.dense = { kernel: d.kernel.clone() as tf.Tensor2D, bias: d.bias.clone() as tf.Tensor1D, relu: d.activation === 'relu' };
    let [h, w] = SEED_MAP;
    this.deconvs = DECODER_DECONVS.map(({ stride, activation }, i) => {
      const { kernel, bias } = convParamsOf(decoder, CONV_LAYER_NAMES.decoderDeconv(i));
      const [kh, kw] = kernel.shape;
      const geometry: TransposeGeometry = { h, w, outH: h * stride, outW: w * stride, kh, kw, stride };
      [h, w] = [h * stride, w * stride];
      return { kernel: transposePhaseKernel(kernel as tf.Tensor4D, geometry), bias: bias.clone() as tf.Tensor1D, relu: activation === 'relu', geometry };
    });
  }

  /** Logits of p(x|z) (or p(x|z, c)): z [B, Z] (c [B, C], one-hot) -> [B, 784]. */
  decodeLogits(z: tf.Tensor2D, c?: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const input = this.config.conditional ? tf.concat([z, requireClass(c, 'decode')], 1) : z; // [B, Z (+ C)]
      const pre = tf.add(tf.matMul(input, this.dense.kernel), this.dense.bias); // [B, 3136]
      let h = tf.reshape(this.dense.relu ? tf.relu(pre) : pre, [-1, ...SEED_MAP]) as tf.Tensor4D; // [B, 7, 7, 64]
      for (const { kernel, bias, relu, geometry } of this.deconvs) {
        const out = tf.add(conv2dTransposeByPhases(h, kernel, geometry), bias) as tf.Tensor4D; // [B, 14, 14, 64], [B, 28, 28, 32], [B, 28, 28, 1]
        h = relu ? tf.relu(out) : out;
      }
      return tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D; // [B, 784]
    });
  }

  /** Frees its copies of the weights. */
  dispose(): void {
    tf.dispose([this.dense.kernel, this.dense.bias, ...this.deconvs.flatMap((d) => [d.kernel, d.bias])]);
  }
}

/** The Keras example's convolutional VAE. */
export const convFamily: ModelFamily = { name: 'conv', buildEncoder, buildDecoder, bind };
