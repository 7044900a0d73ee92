/**
 * The seam between the model and whatever runs its arithmetic: the model (model/) and the trainer
 * (train/) call these few operations and never ask which backend or which kernels run them.
 *
 * `stockOps` (stock.ts) is plain tfjs, batch-major, differentiated by tfjs' autodiff: the readable
 * reference, and what runs wherever nothing faster does. A faster implementation (../accelerator/,
 * the wasm kernels) implements the same interface and is chosen once, when the backend starts.
 *
 * Layout: the ops decide how a batch of activations lies in memory (one example per row, or per
 * column) and every op takes and returns that layout. Model code gets its tensors into the ops'
 * layout with `data` / `batch`, passes the `Batch` values from op to op, and gets results back with
 * `rows`; it never reads a Batch's shape. Shapes below are written for one example per row.
 */
import type * as tf from '../tf';
import type { Likelihood } from '../model/config';

/** Activations of a batch in the layout the ops chose: pass it between ops, never read its shape. */
export type Batch = tf.Tensor2D & { readonly __batchLayout: 'chosen by the ops' };

/** Activations a dense layer applies. */
export type DenseActivation = 'linear' | 'relu' | 'elu' | 'tanh';

/** The weights of one dense layer, in the Keras layout. */
export interface DenseWeights {
  /** [inputDim, units] */
  kernel: tf.Tensor;
  /** [units] */
  bias: tf.Tensor;
  activation: DenseActivation;
}

/** A dense layer's trainable weights. */
export interface DenseParams extends DenseWeights {
  kernel: tf.Variable;
  bias: tf.Variable;
}

/** A diagonal Gaussian over z, one per example: q(z|x) = N(mean, exp(logVar)). */
export interface Gaussian {
  /** [B, Z] */
  mean: Batch;
  /** [B, Z] */
  logVar: Batch;
}

/** One variable's Adam update: the variable, its gradient and its two moments, all of one shape. */
export interface AdamSlot {
  variable: tf.Variable;
  grad: tf.Tensor;
  m: tf.Variable;
  v: tf.Variable;
}

/**
 * The coefficients of one Adam update (train/adam.ts derives them from the step count):
 *   m ← m + keep1 (g − m),  v ← v + keep2 (g² − v),  θ ← θ − stepSize · m / (√v + epsilon)
 */
export interface AdamStep {
  keep1: number;
  keep2: number;
  stepSize: number;
  epsilon: number;
}

/** Which implementation of the ops: `accelerated` (the backend's fast kernels where it has them) or `stock`. */
export type KernelsChoice = 'accelerated' | 'stock';

/** Every KernelsChoice, as `?kernels=` and VAE_KERNELS take them. */
export const KERNELS_CHOICES: readonly KernelsChoice[] = ['accelerated', 'stock'];

/** The operations a training step needs; stock tfjs by default, a backend's fast version where it has one. */
export interface TrainingOps {
  /** Which implementation these are: `stock`, or `accelerated` (the wasm kernels). */
  readonly kind: KernelsChoice;
  /** A tensor [B, F] in these ops' layout. Differentiable. */
  batch(rows: tf.Tensor2D): Batch;
  /**
   * The data batch x [B, D] in these ops' layout: a constant, so no gradient flows back to it (an
   * implementation may keep extra views of it, e.g. for skipping zero pixels).
   */
  data(rows: tf.Tensor2D): Batch;
  /** A Batch back as a tensor [B, F]. Differentiable. */
  rows(batch: Batch): tf.Tensor2D;
  /** act(x·W + b): [B, in] -> [B, out]. */
  dense(x: Batch, layer: DenseWeights): Batch;
  /** q(z|x) from the last hidden layer h [B, H]: its mean and log-variance heads, each [B, Z]. */
  gaussianHeads(h: Batch, mean: DenseWeights, logVar: DenseWeights): Gaussian;
  /**
   * The reparameterization trick and the closed-form KL: z = mean + exp(logVar / 2) · eps [B, Z],
   * and KL(q || N(0, I)) per example [B], from q (each [B, Z]) and eps ~ N(0, I) [B, Z].
   */
  sampleLatent(q: Gaussian, eps: Batch): { z: Batch; kl: tf.Tensor1D };
  /** -log p(x|z) per example, nats, from the decoder's logits and the data: [B, D] -> [B]. */
  reconstructionNll(logits: Batch, x: Batch, likelihood: Likelihood, gaussianVariance: number): tf.Tensor1D;
  /** Updates every variable and its moments in place by Adam (see AdamStep). */
  adamUpdate(slots: AdamSlot[], step: AdamStep): void;
  /** Called first in every training step (an implementation may get helper threads ready). */
  beginStep(): void;
}
