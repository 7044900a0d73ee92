/** One model being trained: the VAE, its Trainer, and the settings that can change without new weights. */
import type { ImageDataset } from '../core/data/dataset';
import { configProblems, type VaeConfig } from '../core/model/config';
import { Vae } from '../core/model/vae';
import { hyperparametersOf } from '../core/train/hyperparameters';
import { Trainer, type StepMetrics } from '../core/train/trainer';

/** Settings that define the weights' shape or meaning; changing one needs a fresh model. */
export const ARCHITECTURE_KEYS = ['family', 'inputDim', 'hidden', 'latentDim', 'activation', 'likelihood'] as const;

/** True when two configs need different weights (architecture or likelihood differ). */
export function needsNewWeights(a: Readonly<VaeConfig>, b: Readonly<VaeConfig>): boolean {
  return ARCHITECTURE_KEYS.some((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/** Refuses, in one plain sentence, a config that would need new weights for `vae`. */
export function checkSameNetwork(current: Readonly<VaeConfig>, next: VaeConfig): void {
  if (needsNewWeights(current, next)) throw new Error('These settings change the network; reset the model to apply them.');
}

/** A VAE with its trainer; settings that keep the weights go to the trainer through one call. */
export class TrainingSession {
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
    this.trainer = new Trainer(model instanceof Vae ? model : Vae.create(config), train);
  }

  /** The model as trained now (its frozen config holds the current training settings). */
  get vae(): Vae {
    return this.trainer.vae;
  }

  /** The live settings (frozen). */
  get config(): Readonly<VaeConfig> {
    return this.trainer.vae.config;
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
    checkSameNetwork(this.config, next);
    this.trainer.setHyperparameters(hyperparametersOf(next));
  }

  /** Frees the model and the optimizer state. */
  dispose(): void {
    this.trainer.dispose();
    this.vae.dispose();
  }
}
