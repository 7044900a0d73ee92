/** A VAE: encoder and decoder LayersModels plus a fast functional forward pass over their weights. */
import * as tf from '@tensorflow/tfjs';
import { buildDecoder, buildEncoder, LAYER_NAMES } from './build';
import type { VaeConfig } from './config';
import { concatColumns } from '../kernels/columns';
import { canSkipZeroInputs } from '../kernels/sparse-input';
import { denseColumns, denseColumnsOnConstant, denseOnSparseRows, type DenseActivation, type DenseParams, type DenseWeights } from './dense';
import { reconstructionNll, sampleLatentColumns, splitLatentHead } from './elbo';

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

  /**
   * The encoder's two heads as one layer, weights concatenated (one product instead of two; the
   * concatenation's gradient splits back to each head's variables): [inputs, 2Z], [2Z].
   */
  private mergedHead(): DenseWeights {
    return {
      kernel: concatColumns(this.meanHead.kernel as tf.Tensor2D, this.logVarHead.kernel as tf.Tensor2D), // [H, 2Z]
      bias: tf.concat([this.meanHead.bias, this.logVarHead.bias]),
      activation: 'linear',
    };
  }

  /**
   * q(z|x) feature-major as one tensor: X [D, B] -> [2Z, B], mean rows then log-variance rows.
   * Differentiable (fast gradients). Given the same batch batch-major too (`xRows` [B, D], for data
   * whose pixels are mostly zero), the first layer skips the zero pixels where the backend can.
   */
  encodeHeadColumns(xCols: tf.Tensor2D, xRows?: tf.Tensor2D): tf.Tensor2D {
    const firstLayer = (p: DenseWeights) =>
      xRows && canSkipZeroInputs(p.kernel.shape[1] ?? 0) ? denseOnSparseRows(xRows, p) : denseColumnsOnConstant(xCols, p);
    if (this.encoderHidden.length === 0) return firstLayer(this.mergedHead());
    const h = this.encoderHidden.reduce((hCols, p, i) => (i === 0 ? firstLayer(p) : denseColumns(hCols, p)), xCols);
    return denseColumns(h, this.mergedHead());
  }

  /** q(z|x) feature-major: X [D, B] -> mean, logVar [Z, B]. Differentiable (fast gradients). */
  encodeColumns(xCols: tf.Tensor2D): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
    return splitLatentHead(this.encodeHeadColumns(xCols));
  }

  /** p(x|z) logits feature-major: Z [Z, B] -> [D, B]. Differentiable (fast gradients). */
  decodeLogitsColumns(zCols: tf.Tensor2D): tf.Tensor2D {
    return this.decoderLayers.reduce((hCols, p) => denseColumns(hCols, p), zCols);
  }

  /** q(z|x): x [B, D] -> mean, logVar [B, Z]. */
  encode(x: tf.Tensor2D): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
    const { mean, logVar } = this.encodeColumns(tf.transpose(x));
    return { mean: tf.transpose(mean), logVar: tf.transpose(logVar) };
  }

  /** p(x|z) logits: z [B, Z] -> [B, D]. */
  decodeLogits(z: tf.Tensor2D): tf.Tensor2D {
    return tf.transpose(this.decodeLogitsColumns(tf.transpose(z)));
  }

  /** Pixel intensities (or Gaussian means) in [0, 1]: z [B, Z] -> [B, D]. */
  decode(z: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.sigmoid(this.decodeLogits(z)));
  }

  /** Per-example reconstruction NLL and KL for x [B, D] with noise eps [B, Z]: each [B]. */
  lossTerms(x: tf.Tensor2D, eps: tf.Tensor2D): LossTerms {
    return this.lossTermsColumns(tf.transpose(x), tf.transpose(eps));
  }

  /**
   * Per-example reconstruction NLL and KL, feature-major: X [D, B], eps [Z, B] -> each [B]. `xRows`:
   * the same batch batch-major [B, D], for data whose pixels are mostly zero (see `encodeHeadColumns`).
   */
  lossTermsColumns(xCols: tf.Tensor2D, epsCols: tf.Tensor2D, xRows?: tf.Tensor2D): LossTerms {
    const head = this.encodeHeadColumns(xCols, xRows); // [2Z, B]
    const { z, kl } = sampleLatentColumns(head, epsCols); // [Z, B], [B]
    const logits = this.decodeLogitsColumns(z); // [D, B]
    return { reconstruction: reconstructionNll(logits, xCols, this.config.likelihood, this.config.gaussianVariance, 0), kl };
  }

  /** Frees the encoder's and decoder's weights. */
  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}
