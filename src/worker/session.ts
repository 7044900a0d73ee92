/** One model being trained: the VAE, its Trainer, and the settings that can change without new weights. */
import type { ImageDataset } from '../core/data/dataset';
import { configProblems, type VaeConfig } from '../core/model/config';
import { Vae } from '../core/model/vae';
import { Trainer, type StepMetrics } from '../core/train/trainer';

/** Settings that define the weights' shape or meaning; changing one needs a fresh model. */
export const ARCHITECTURE_KEYS = ['family', 'inputDim', 'hidden', 'latentDim', 'activation', 'likelihood'] as const;

/** True when two configs need different weights (architecture or likelihood differ). */
export function needsNewWeights(a: VaeConfig, b: VaeConfig): boolean {
  return ARCHITECTURE_KEYS.some((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/** Copies the settings that keep the weights (beta, warm-up, variance, learning rate, batch size, binarization) from `next` into `target`. */
export function applyTrainingSettings(target: VaeConfig, next: VaeConfig): void {
  if (needsNewWeights(target, next)) throw new Error('These settings change the network; reset the model to apply them.');
  const problems = configProblems(next);
  if (problems.length > 0) throw new Error(`Invalid model settings: ${problems.join('; ')}.`);
  copyTrainingSettings(target, next);
}

/** The same without checks: for a loaded model, whose architecture comes from its file and its training settings from the app. */
export function copyTrainingSettings(target: VaeConfig, next: VaeConfig): void {
  Object.assign(target, {
    beta: next.beta,
    klWarmupSteps: next.klWarmupSteps,
    gaussianVariance: next.gaussianVariance,
    learningRate: next.learningRate,
    batchSize: next.batchSize,
    binarize: next.binarize,
  });
}

/** A VAE with its trainer; settings that keep the weights apply in place. */
export class TrainingSession {
  readonly vae: Vae;
  private readonly trainer: Trainer;

  /** A fresh VAE of `model` (a config), or training of an existing one (the session then owns it). */
  constructor(
    model: VaeConfig | Vae,
    train: ImageDataset,
    readonly generation: number,
  ) {
    const config = model instanceof Vae ? model.config : model;
    const problems = configProblems(config);
    if (problems.length > 0) throw new Error(`Invalid model settings: ${problems.join('; ')}.`);
    // The Vae keeps its config object; its trainer reads beta, warm-up and variance from it at every step.
    this.vae = model instanceof Vae ? model : Vae.create({ ...config, hidden: [...config.hidden] });
    this.trainer = new Trainer(this.vae, train);
  }

  /** The live settings. */
  get config(): VaeConfig {
    return this.vae.config;
  }

  /** Steps taken by this model. */
  get step(): number {
    return this.trainer.step;
  }

  /** 0-based epoch the next step belongs to. */
  get epoch(): number {
    return this.trainer.epoch;
  }

  /** Fraction of the current epoch done. */
  get epochProgress(): number {
    return this.trainer.epochProgress;
  }

  /** Steps per epoch at the current batch size. */
  get stepsPerEpoch(): number {
    return this.trainer.stepsPerEpoch;
  }

  /** One training step (metrics are queued; read them with `readMetrics`). */
  trainStep(): void {
    this.trainer.trainStep();
  }

  /** The queued metrics. May throw TrainingDivergedError. */
  readMetrics(): Promise<StepMetrics[]> {
    return this.trainer.readMetrics();
  }

  /**
   * Applies settings that keep the weights: beta, warm-up, Gaussian variance and the learning rate
   * from the next step on; a new batch size or binarization starts a freshly shuffled pass.
   */
  async configure(next: VaeConfig): Promise<void> {
    const c = this.vae.config;
    const batchChanged = next.batchSize !== c.batchSize || next.binarize !== c.binarize;
    applyTrainingSettings(c, next);
    if (batchChanged) this.trainer.applyBatchSettings();
  }

  /** Frees the model and the optimizer state. */
  dispose(): void {
    this.trainer.dispose();
    this.vae.dispose();
  }
}
