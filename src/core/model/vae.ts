/** A VAE: encoder and decoder LayersModels, and the math that ties them, run through the training ops. */
import * as tf from '@tensorflow/tfjs';
import { trainingOps, type Batch, type DenseActivation, type DenseParams, type Gaussian, type TrainingOps } from '../ops';
import { buildDecoder, buildEncoder, LAYER_NAMES } from './build';
import type { VaeConfig } from './config';

/** Per-example loss terms of one batch, in nats: each [B]. */
export interface LossTerms {
  reconstruction: tf.Tensor1D;
  kl: tf.Tensor1D;
}

function denseParamsOf(model: tf.LayersModel, name: string): DenseParams {
  const layer = model.getLayer(name);
  const [kernel, bias] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  const activation = (layer.getConfig().activation ?? 'linear') as DenseActivation;
  if (!kernel || !bias) throw new Error(`Layer ${name} has no kernel and bias`);
  return { kernel, bias, activation };
}

/** Encoder, decoder and the math that ties them; owns its tensors until `dispose`. */
export class Vae {
  private readonly encoderHidden: DenseParams[];
  private readonly meanHead: DenseParams;
  private readonly logVarHead: DenseParams;
  private readonly decoderLayers: DenseParams[];

  constructor(
    readonly config: VaeConfig,
    readonly encoder: tf.LayersModel,
    readonly decoder: tf.LayersModel,
  ) {
    this.encoderHidden = config.hidden.map((_, i) => denseParamsOf(encoder, LAYER_NAMES.encoderHidden(i)));
    this.meanHead = denseParamsOf(encoder, LAYER_NAMES.mean);
    this.logVarHead = denseParamsOf(encoder, LAYER_NAMES.logVar);
    this.decoderLayers = [
      ...config.hidden.map((_, i) => denseParamsOf(decoder, LAYER_NAMES.decoderHidden(i))),
      denseParamsOf(decoder, LAYER_NAMES.decoderOutput),
    ];
  }

  /** A VAE with fresh Glorot-initialised weights. */
  static create(config: VaeConfig): Vae {
    return new Vae(config, buildEncoder(config), buildDecoder(config));
  }

  /** Every trainable variable, encoder first. */
  trainableVariables(): tf.Variable[] {
    return [...this.encoderHidden, this.meanHead, this.logVarHead, ...this.decoderLayers].flatMap((p) => [p.kernel, p.bias]);
  }

  /** q(z|x): the hidden layers, then the mean and log-variance heads. x [B, D] -> [B, Z] each. */
  private posterior(x: Batch, ops: TrainingOps): Gaussian {
    const h = this.encoderHidden.reduce((a, layer) => ops.dense(a, layer), x); // [B, H]
    return ops.gaussianHeads(h, this.meanHead, this.logVarHead);
  }

  /** p(x|z)'s logits: z [B, Z] -> [B, D]. */
  private logits(z: Batch, ops: TrainingOps): Batch {
    return this.decoderLayers.reduce((a, layer) => ops.dense(a, layer), z);
  }

  /** q(z|x): x [B, D] -> mean, logVar [B, Z]. */
  encode(x: tf.Tensor2D): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
    const ops = trainingOps();
    const q = this.posterior(ops.data(x), ops);
    return { mean: ops.rows(q.mean), logVar: ops.rows(q.logVar) };
  }

  /** p(x|z) logits: z [B, Z] -> [B, D]. */
  decodeLogits(z: tf.Tensor2D): tf.Tensor2D {
    const ops = trainingOps();
    return ops.rows(this.logits(ops.batch(z), ops));
  }

  /** Pixel intensities (or Gaussian means) in [0, 1]: z [B, Z] -> [B, D]. */
  decode(z: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.sigmoid(this.decodeLogits(z)));
  }

  /**
   * Per-example reconstruction NLL and KL for the data x [B, D] with noise eps ~ N(0, I) [B, Z]:
   * each [B]. Differentiable in the weights: the negative ELBO is reconstruction + KL.
   */
  lossTerms(x: tf.Tensor2D, eps: tf.Tensor2D): LossTerms {
    const ops = trainingOps();
    const data = ops.data(x);
    const q = this.posterior(data, ops); // q(z|x)
    const { z, kl } = ops.sampleLatent(q, ops.batch(eps)); // z = mean + sigma * eps; KL(q(z|x) || N(0, I))
    const logits = this.logits(z, ops); // p(x|z)
    return { reconstruction: ops.reconstructionNll(logits, data, this.config.likelihood, this.config.gaussianVariance), kl };
  }

  /** Frees the encoder's and decoder's weights. */
  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}
