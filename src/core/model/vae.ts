/**
 * A VAE: an encoder and a decoder LayersModel of one family (model/families.ts), and the math that
 * ties them, run through the training ops:
 *
 *   q(z|x) = N(mean, exp(logVar)),  z = mean + exp(logVar / 2) * eps,  eps ~ N(0, I)
 *   loss   = -log p(x|z) + KL(q(z|x) || N(0, I))     (nats per example; the trainer weighs the KL by beta)
 *
 * A conditional VAE (`config.conditional`) takes the one-hot class c [B, C] in every call:
 * q(z|x, c), p(x|z, c), and the same loss, now a bound on log p(x|c). Others ignore c.
 */
import * as tf from '../tf';
import { trainingOps } from '../ops';
import type { VaeConfig } from './config';
import { familyOf, type VaeNetwork } from './families';
import { hyperparametersOf, type Hyperparameters } from '../train/hyperparameters';

/** Per-example loss terms of one batch, in nats: each [B]. */
export interface LossTerms {
  reconstruction: tf.Tensor1D;
  kl: tf.Tensor1D;
}

/** Encoder, decoder and the math that ties them; owns its tensors until `dispose`. */
export class Vae {
  /** The family's forward pass over these models' weights. */
  private readonly network: VaeNetwork;

  /** What this model is and was set up to train with: a frozen copy, never changed (new settings make a new view, `withHyperparameters`). */
  readonly config: Readonly<VaeConfig>;

  /** A Vae over existing models of `config.family`; throws in words when they lack a layer the config implies. */
  constructor(
    config: Readonly<VaeConfig>,
    readonly encoder: tf.LayersModel,
    readonly decoder: tf.LayersModel,
  ) {
    this.config = Object.freeze({ ...config, hidden: Object.freeze([...config.hidden]) as number[] });
    this.network = familyOf(this.config).bind(this.config, encoder, decoder);
  }

  /** The same weights (shared, not copied) under a config with these training settings; this Vae is unchanged. */
  withHyperparameters(h: Readonly<Hyperparameters>): Vae {
    return new Vae({ ...this.config, ...hyperparametersOf(h as VaeConfig) }, this.encoder, this.decoder);
  }

  /** A VAE with fresh weights (seeded by `config.seed`). */
  static create(config: Readonly<VaeConfig>): Vae {
    const family = familyOf(config);
    return new Vae(config, family.buildEncoder(config), family.buildDecoder(config));
  }

  /** Every trainable variable, encoder first. */
  trainableVariables(): tf.Variable[] {
    return [...this.encoder.trainableWeights, ...this.decoder.trainableWeights].map((w) => w.read() as tf.Variable);
  }

  /** q(z|x) (or q(z|x, c), c [B, C]): x [B, D] -> mean, logVar [B, Z]. */
  encode(x: tf.Tensor2D, c?: tf.Tensor2D): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
    const ops = trainingOps();
    const q = this.network.encode(ops.data(x), ops, c);
    return { mean: ops.rows(q.mean), logVar: ops.rows(q.logVar) };
  }

  /** p(x|z) (or p(x|z, c), c [B, C]) logits: z [B, Z] -> [B, D]. */
  decodeLogits(z: tf.Tensor2D, c?: tf.Tensor2D): tf.Tensor2D {
    const ops = trainingOps();
    return ops.rows(this.network.decodeLogits(ops.batch(z), ops, c));
  }

  /** Pixel intensities (or Gaussian means) in [0, 1]: z [B, Z] (and c [B, C]) -> [B, D]. */
  decode(z: tf.Tensor2D, c?: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.sigmoid(this.decodeLogits(z, c)));
  }

  /**
   * Per-example reconstruction NLL and KL for the data x [B, D] (with its one-hot class c [B, C] when
   * conditional) and noise eps ~ N(0, I) [B, Z]: each [B]. Differentiable in the weights.
   */
  lossTerms(x: tf.Tensor2D, eps: tf.Tensor2D, c?: tf.Tensor2D): LossTerms {
    const ops = trainingOps();
    const data = ops.data(x);
    const q = this.network.encode(data, ops, c); // q(z|x) or q(z|x, c)
    const { z, kl } = ops.sampleLatent(q, ops.batch(eps)); // z = mean + exp(logVar / 2) * eps; KL(q || N(0, I))
    const logits = this.network.decodeLogits(z, ops, c); // p(x|z) or p(x|z, c)
    return { reconstruction: ops.reconstructionNll(logits, data, this.config.likelihood, this.config.gaussianVariance), kl };
  }

  /** The decoder's dense layers, first to last, when it is a plain MLP (the main thread decodes a copy); else null. */
  decoderDenseLayers(): tf.layers.Layer[] | null {
    return this.network.decoderDenseLayers();
  }

  /** Frees the encoder's and decoder's weights. */
  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}
