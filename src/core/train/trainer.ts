/** Training loop: Adam on the negative ELBO, metrics read in batches (no synchronous read per step). */
import * as tf from '../tf';
import { BatchSampler } from '../data/batch-sampler';
import type { ImageDataset } from '../data/dataset';
import { oneHot } from '../model/conditional';
import { klWeightAt } from '../model/config';
import type { Vae } from '../model/vae';
import { trainingOps } from '../ops';
import { Adam } from './adam';
import { checkHyperparameters, hyperparametersOf, type Hyperparameters } from './hyperparameters';

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

/**
 * Thrown when the loss stops being a finite number. `restoredStep` is the step the weights were
 * rolled back to (checked finite before this is thrown), or null when no good weights could be restored.
 */
export class TrainingDivergedError extends Error {
  constructor(
    readonly step: number,
    readonly restoredStep: number | null,
  ) {
    super(
      `Training diverged: the loss became NaN or infinite at step ${step}. ` +
        (restoredStep === null
          ? 'The last good weights could not be restored, so press Reset for fresh weights or load a model.'
          : `The weights were rolled back to ${restoredStep === 0 ? 'where training started (step 0)' : `step ${restoredStep}`}; try a lower learning rate.`),
    );
    this.name = 'TrainingDivergedError';
  }
}

/** Weights saved for a rollback, with where training stood when they were taken. */
interface Snapshot {
  step: number;
  epoch: number;
  weights: tf.Tensor[];
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

/**
 * Owns the optimizer, the batch order and the hyperparameters for one VAE and one training set. The
 * hyperparameters change only through `setHyperparameters`; the VAE's config is never changed.
 */
export class Trainer {
  /** The VAE as trained now: the same weights under a config with the current hyperparameters. */
  private current: Vae;
  private hyper: Readonly<Hyperparameters>;
  private readonly optimizer: Adam;
  private sampler: BatchSampler;
  private epochOffset = 0;
  private readonly variables: tf.Variable[];
  private pending: { step: number; epoch: number; klWeight: number; values: tf.Tensor1D }[] = [];
  /** Weights known to give a finite loss (or the starting weights): what a rollback restores. */
  private lastGood: Snapshot;
  /** Weights taken at the last metrics read; verified by the first loss of the next read. */
  private unverified: Snapshot | null = null;
  private stepCount = 0;

  constructor(
    vae: Vae,
    private readonly train: ImageDataset,
    /** Read the loss back every this many steps in `run`. */
    readonly metricsEvery = 10,
  ) {
    const { config } = vae;
    this.hyper = checkHyperparameters(hyperparametersOf(config));
    this.current = vae;
    this.optimizer = new Adam();
    this.sampler = new BatchSampler(train, config.batchSize, { seed: config.seed, binarize: config.binarize });
    this.variables = vae.trainableVariables();
    this.lastGood = this.takeSnapshot(); // the model as it was before training counts as good
  }

  /** The VAE being trained; its config holds the current hyperparameters (a new view after each change). */
  get vae(): Vae {
    return this.current;
  }

  /** The hyperparameters the next step uses (frozen). */
  get hyperparameters(): Readonly<Hyperparameters> {
    return this.hyper;
  }

  /**
   * Changes hyperparameters from the next step on, after checking them all; an invalid value throws
   * one plain sentence and changes nothing. A new batch size or binarization starts a freshly
   * shuffled pass (steps, Adam's moments and the KL warm-up carry over).
   */
  setHyperparameters(change: Partial<Hyperparameters>): void {
    const next = checkHyperparameters({ ...this.hyper, ...change });
    const batchChanged = next.batchSize !== this.hyper.batchSize || next.binarize !== this.hyper.binarize;
    this.hyper = next;
    this.current = this.current.withHyperparameters(next);
    if (batchChanged) this.newPass();
  }

  /** Steps taken so far. */
  get step(): number {
    return this.stepCount;
  }

  /** The epoch the next step belongs to (0-based). */
  get epoch(): number {
    return this.epochOffset + this.sampler.epoch;
  }

  /** A freshly shuffled pass over the data at the current batch size and binarization, counted in the current epoch. */
  private newPass(): void {
    const { batchSize, binarize } = this.hyper;
    const { seed } = this.current.config;
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
    trainingOps().beginStep();
    const batch = this.sampler.next();
    const { config } = this.current;
    const klWeight = klWeightAt(this.hyper, this.stepCount);
    const seed = (config.seed * 1_000_003 + this.stepCount) % 2_147_483_647;
    const values = tf.tidy(() => {
      const x = tf.tensor2d(batch.pixels, [batch.size, config.inputDim]); // [B, D]
      const eps = tf.randomNormal([batch.size, config.latentDim], 0, 1, 'float32', seed) as tf.Tensor2D; // [B, Z]
      const c = config.conditional ? oneHot(batch.labels, config.classes) : undefined; // [B, C]
      let metrics: tf.Tensor1D | null = null;
      const { grads } = tf.variableGrads(() => {
        const terms = this.current.lossTerms(x, eps, c);
        const reconstruction = tf.mean(terms.reconstruction);
        const kl = tf.mean(terms.kl);
        const total = tf.add(reconstruction, tf.mul(kl, klWeight)) as tf.Scalar;
        metrics = tf.keep(tf.stack([reconstruction, kl, total]) as tf.Tensor1D);
        return total;
      }, this.variables);
      this.optimizer.apply(this.variables, this.variables.map((v) => grads[v.name]), this.hyper.learningRate);
      return metrics as unknown as tf.Tensor1D;
    });
    this.pending.push({ step: this.stepCount, epoch: this.epochOffset + batch.epoch, klWeight, values });
    this.stepCount++;
  }

  /**
   * Reads the queued metrics in one transfer and clears the queue. Throws TrainingDivergedError
   * (after restoring the last weights that gave a finite loss, the starting weights at worst) when a loss is not finite.
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
    const bad = metrics.findIndex((m) => !Number.isFinite(m.total));
    // The first loss read was computed on the weights of the last read: a finite one proves them good.
    if (this.unverified && this.unverified.step === metrics[0].step && bad !== 0) this.promoteUnverified();
    if (bad >= 0) await this.restoreLastGood(metrics[bad].step);
    this.unverified?.weights.forEach((t) => t.dispose());
    this.unverified = this.takeSnapshot();
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

  private takeSnapshot(): Snapshot {
    return { step: this.stepCount, epoch: this.epoch, weights: this.variables.map((v) => tf.clone(v)) };
  }

  private promoteUnverified(): void {
    this.lastGood.weights.forEach((t) => t.dispose());
    this.lastGood = this.unverified!;
    this.unverified = null;
  }

  /**
   * Puts back the last weights that gave a finite loss, restarts Adam (its moments hold NaN now),
   * checks that every restored weight is finite, and throws TrainingDivergedError saying so.
   */
  private async restoreLastGood(badStep: number): Promise<never> {
    const good = this.lastGood;
    this.unverified?.weights.forEach((t) => t.dispose());
    this.unverified = null;
    this.variables.forEach((v, i) => v.assign(good.weights[i]));
    this.optimizer.reset();
    // x * 0 is 0 for a finite x and NaN otherwise, so each sum is 0 exactly when a variable is all finite.
    const sums = tf.tidy(() => tf.stack(this.variables.map((v) => tf.sum(tf.mul(v, 0))))); // [variables]
    const restored = (await sums.data()).every((x) => x === 0);
    sums.dispose();
    if (restored) {
      // Training resumes from the restored state: its step, its epoch, a freshly shuffled pass.
      const { batchSize, binarize } = this.hyper;
      const { seed } = this.current.config;
      this.sampler = new BatchSampler(this.train, batchSize, { seed: seed + this.stepCount, binarize });
      this.stepCount = good.step;
      this.epochOffset = good.epoch;
    }
    throw new TrainingDivergedError(badStep, restored ? good.step : null);
  }

  /** Frees the optimizer state, queued metrics and the rollback snapshot (not the VAE). */
  dispose(): void {
    this.pending.forEach((p) => p.values.dispose());
    this.pending = [];
    this.lastGood.weights.forEach((t) => t.dispose());
    this.lastGood.weights = [];
    this.unverified?.weights.forEach((t) => t.dispose());
    this.unverified = null;
    this.optimizer.dispose();
  }
}
