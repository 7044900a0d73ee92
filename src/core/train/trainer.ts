/** Training loop: Adam on the negative ELBO, metrics read in batches (no synchronous read per step). */
import * as tf from '@tensorflow/tfjs';
import { BatchSampler } from '../data/batch-sampler';
import { nonZeroFraction, type ImageDataset } from '../data/dataset';
import { klWeightAt } from '../model/config';
import type { Vae } from '../model/vae';
import { wakeHelperThread } from '../kernels/helper-thread';
import { sparseInputPays } from '../kernels/sparse-input';
import { transpose2d } from '../kernels/transpose';
import { Adam } from './adam';

/** Loss terms of one training step, nats per example (batch means). */
export interface StepMetrics {
  step: number;
  epoch: number;
  reconstruction: number;
  kl: number;
  /** reconstruction + klWeight * kl: the objective actually minimised. */
  total: number;
  klWeight: number;
}

/** Thrown when the loss stops being a finite number. */
export class TrainingDivergedError extends Error {
  constructor(readonly step: number) {
    super(
      `Training diverged: the loss became NaN or infinite at step ${step}. ` +
        'The weights were rolled back to the last good step; try a lower learning rate.',
    );
    this.name = 'TrainingDivergedError';
  }
}

/** Options of `Trainer.run`. */
export interface RunOptions {
  /** Stop after this many steps. */
  steps?: number;
  /** Stop at the end of the current epoch. */
  untilEpochEnd?: boolean;
  /** Polled between steps; returning true pauses (the position in the epoch is kept). */
  shouldStop?: () => boolean;
  /** Give the event loop a turn every this many steps (0: never). */
  yieldEvery?: number;
  /** Called with fresh metrics every `metricsEvery` steps. */
  onMetrics?: (metrics: StepMetrics[]) => void;
}

/** Owns the optimizer and the batch order for one VAE and one training set. */
export class Trainer {
  private readonly optimizer: Adam;
  private sampler: BatchSampler;
  private epochOffset = 0;
  private readonly variables: tf.Variable[];
  private pending: { step: number; epoch: number; klWeight: number; values: tf.Tensor1D }[] = [];
  private lastGood: tf.Tensor[] | null = null;
  private stepCount = 0;
  /** The training images are mostly zeros: give the model each batch batch-major too. */
  private readonly sparseInput: boolean;

  constructor(
    readonly vae: Vae,
    private readonly train: ImageDataset,
    /** Read the loss back every this many steps in `run`. */
    readonly metricsEvery = 10,
  ) {
    const { config } = vae;
    this.optimizer = new Adam();
    this.sampler = new BatchSampler(train, config.batchSize, { seed: config.seed, binarize: config.binarize });
    this.variables = vae.trainableVariables();
    this.sparseInput = sparseInputPays(nonZeroFraction(train));
  }

  /** Steps taken so far. */
  get step(): number {
    return this.stepCount;
  }

  /** The epoch the next step belongs to (0-based). */
  get epoch(): number {
    return this.epochOffset + this.sampler.epoch;
  }

  /**
   * Uses `vae.config.batchSize` and `binarize` from the next step on. Steps, Adam's moments and the
   * KL warm-up carry over; a freshly shuffled pass over the data starts, counted in the current epoch.
   * (The learning rate, beta, warm-up and Gaussian variance are read from `vae.config` at every step.)
   */
  applyBatchSettings(): void {
    const { batchSize, seed, binarize } = this.vae.config;
    this.epochOffset = this.epoch;
    this.sampler = new BatchSampler(this.train, batchSize, { seed: seed + this.stepCount, binarize });
  }

  /** Fraction of the current epoch done, in [0, 1). */
  get epochProgress(): number {
    return this.sampler.epochProgress;
  }

  /** Steps in one epoch. */
  get stepsPerEpoch(): number {
    return this.sampler.batchesPerEpoch;
  }

  /** One Adam step on one batch. Queues the metrics; read them with `readMetrics`. */
  trainStep(): void {
    wakeHelperThread(); // the step's first shared kernel then finds the helper polling, not asleep
    const batch = this.sampler.next();
    const { config } = this.vae;
    const klWeight = klWeightAt(config, this.stepCount);
    const seed = (config.seed * 1_000_003 + this.stepCount) % 2_147_483_647;
    const values = tf.tidy(() => {
      const xRows = tf.tensor2d(batch.pixels, [batch.size, config.inputDim]); // [B, D]
      const xCols = transpose2d(xRows); // [D, B]
      const epsCols = tf.randomNormal([config.latentDim, batch.size], 0, 1, 'float32', seed) as tf.Tensor2D; // [Z, B]
      let metrics: tf.Tensor1D | null = null;
      const { grads } = tf.variableGrads(() => {
        const terms = this.vae.lossTermsColumns(xCols, epsCols, this.sparseInput ? xRows : undefined);
        const reconstruction = tf.mean(terms.reconstruction);
        const kl = tf.mean(terms.kl);
        const total = tf.add(reconstruction, tf.mul(kl, klWeight)) as tf.Scalar;
        metrics = tf.keep(tf.stack([reconstruction, kl, total]) as tf.Tensor1D);
        return total;
      }, this.variables);
      this.optimizer.apply(this.variables, this.variables.map((v) => grads[v.name]), config.learningRate);
      return metrics as unknown as tf.Tensor1D;
    });
    this.pending.push({ step: this.stepCount, epoch: this.epochOffset + batch.epoch, klWeight, values });
    this.stepCount++;
  }

  /**
   * Reads the queued metrics in one transfer and clears the queue. Throws TrainingDivergedError
   * (after restoring the last good weights) when a loss is not finite.
   */
  async readMetrics(): Promise<StepMetrics[]> {
    if (this.pending.length === 0) return [];
    const pending = this.pending;
    this.pending = [];
    const stacked = tf.stack(pending.map((p) => p.values));
    const data = await stacked.data();
    stacked.dispose();
    pending.forEach((p) => p.values.dispose());
    const metrics = pending.map((p, i) => ({
      step: p.step,
      epoch: p.epoch,
      reconstruction: data[3 * i],
      kl: data[3 * i + 1],
      total: data[3 * i + 2],
      klWeight: p.klWeight,
    }));
    const bad = metrics.find((m) => !Number.isFinite(m.total));
    if (bad) {
      this.restoreLastGood();
      throw new TrainingDivergedError(bad.step);
    }
    this.rememberGood();
    return metrics;
  }

  /** Trains until a stop condition; resolves with the metrics read along the way. */
  async run(options: RunOptions = {}): Promise<StepMetrics[]> {
    const { steps = Infinity, untilEpochEnd = false, shouldStop, yieldEvery = 0, onMetrics } = options;
    const startEpoch = this.epoch;
    const all: StepMetrics[] = [];
    for (let done = 0; done < steps; done++) {
      if (shouldStop?.()) break;
      if (untilEpochEnd && this.epoch !== startEpoch) break;
      this.trainStep();
      if ((done + 1) % this.metricsEvery === 0) {
        const fresh = await this.readMetrics();
        all.push(...fresh);
        onMetrics?.(fresh);
      }
      if (yieldEvery > 0 && (done + 1) % yieldEvery === 0) await new Promise((r) => setTimeout(r, 0));
    }
    const rest = await this.readMetrics();
    all.push(...rest);
    if (rest.length > 0) onMetrics?.(rest);
    return all;
  }

  private rememberGood(): void {
    const snapshot = this.variables.map((v) => tf.clone(v));
    this.lastGood?.forEach((t) => t.dispose());
    this.lastGood = snapshot;
  }

  /** Puts back the last weights that gave a finite loss, and restarts Adam (its moments hold NaN now). */
  private restoreLastGood(): void {
    if (this.lastGood) this.variables.forEach((v, i) => v.assign(this.lastGood![i]));
    this.optimizer.reset();
  }

  /** Frees the optimizer state, queued metrics and the rollback snapshot (not the VAE). */
  dispose(): void {
    this.pending.forEach((p) => p.values.dispose());
    this.pending = [];
    this.lastGood?.forEach((t) => t.dispose());
    this.lastGood = null;
    this.optimizer.dispose();
  }
}
