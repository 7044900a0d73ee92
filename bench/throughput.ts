/**
 * Training throughput of one loop, shared by the Node benchmarks (bench/run.ts, bench/conv.ts): the
 * loop is built on a fresh model, warmed up, then timed over a fixed number of steps with the
 * metrics read every 10 steps (as the app reads them), so queued GPU or helper-thread work is
 * counted, not left running past the clock.
 */
import type { ImageDataset } from '../src/core/data/dataset';
import type { VaeConfig } from '../src/core/model/config';
import { Vae } from '../src/core/model/vae';

/** What a timed loop must offer: the project's Trainer and bench/naive-step.ts's NaiveTrainer both do. */
export interface StepLoop {
  trainStep(): void;
  readMetrics(): Promise<unknown>;
  dispose(): void;
}

/**
 * Examples per second of `makeLoop`'s training loop on a new `Vae.create(config)` over `steps`
 * steps of `config.batchSize` examples from `train`, after `warmup` untimed steps. Disposes the
 * loop and the model. Wall-clock time (performance.now), so the figure is only as steady as the machine.
 */
export async function throughput(
  config: VaeConfig,
  makeLoop: (vae: Vae, train: ImageDataset) => StepLoop,
  train: ImageDataset,
  steps: number,
  warmup = 10,
): Promise<number> {
  const vae = Vae.create(config);
  const trainer = makeLoop(vae, train);
  try {
    for (let i = 0; i < warmup; i++) trainer.trainStep();
    await trainer.readMetrics();
    const started = performance.now();
    for (let i = 1; i <= steps; i++) {
      trainer.trainStep();
      if (i % 10 === 0) await trainer.readMetrics();
    }
    await trainer.readMetrics();
    const seconds = (performance.now() - started) / 1000;
    return (steps * config.batchSize) / seconds;
  } finally {
    trainer.dispose();
    vae.dispose();
  }
}
