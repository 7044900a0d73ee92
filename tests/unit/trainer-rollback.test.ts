import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import { takeFirst, type ImageDataset } from '../../src/core/data/dataset';
import { makeConfig } from '../../src/core/model/config';
import { Vae } from '../../src/core/model/vae';
import { Trainer, TrainingDivergedError, type StepMetrics } from '../../src/core/train/trainer';

let subset: ImageDataset;

beforeAll(async () => {
  subset = takeFirst((await loadDatasetFromDir()).train, 2000);
});

/** Copies of every weight's values. */
const valuesOf = (vae: Vae) => vae.trainableVariables().map((v) => v.dataSync().slice());

/** Runs `task`, which must fail with TrainingDivergedError; returns that error. */
async function diverged(task: () => Promise<unknown>): Promise<TrainingDivergedError> {
  const err = await task().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TrainingDivergedError);
  return err as TrainingDivergedError;
}

describe('Trainer rollback after divergence (real MNIST)', () => {
  it('a learning rate that diverges at once rolls back to the weights before training, and a sane one then trains', async () => {
    const vae = Vae.create(makeConfig({ hidden: [64], latentDim: 2, learningRate: 0.5, seed: 4 }));
    const start = valuesOf(vae);
    const trainer = new Trainer(vae, subset);
    const tensors = tf.memory().numTensors;
    const err = await diverged(() => trainer.run({ steps: 30 }));
    expect(err.restoredStep).toBe(0);
    expect(err.message).toMatch(/diverged.*rolled back to where training started \(step 0\).*lower learning rate/);
    // Every weight is back exactly, training stands at step 0 again, and nothing leaked.
    expect(valuesOf(vae)).toEqual(start);
    expect(trainer.step).toBe(0);
    expect(trainer.epoch).toBe(0);
    expect(tf.memory().numTensors).toBe(tensors);
    // Adam starts over from the restored weights: a sane learning rate trains normally from step 0.
    trainer.setHyperparameters({ learningRate: 1e-3 });
    const metrics = await trainer.run({ steps: 40 });
    expect(metrics.map((m) => m.step)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(metrics.every((m) => Number.isFinite(m.total))).toBe(true);
    const mean = (ms: StepMetrics[]) => ms.reduce((s, m) => s + m.total, 0) / ms.length;
    expect(mean(metrics.slice(-5))).toBeLessThan(mean(metrics.slice(0, 5)) - 50);
    trainer.dispose();
    vae.dispose();
  });

  it('one step at a time: the weights after a step are trusted only once a loss on them is finite', async () => {
    const vae = Vae.create(makeConfig({ hidden: [64], latentDim: 2, learningRate: 0.5, seed: 5 }));
    const trainer = new Trainer(vae, subset);
    const weightsAt = [valuesOf(vae)]; // weightsAt[k]: the weights after k steps
    let err: TrainingDivergedError | null = null;
    for (let i = 0; i < 30 && !err; i++) {
      trainer.trainStep();
      err = await trainer.readMetrics().then(
        () => null,
        (e: TrainingDivergedError) => e,
      );
      if (!err) weightsAt.push(valuesOf(vae));
    }
    expect(err).toBeInstanceOf(TrainingDivergedError);
    // The loss of step k is computed on the weights after k steps: the last finite one vouches for those.
    expect(err!.restoredStep).toBe(err!.step - 1);
    expect(trainer.step).toBe(err!.restoredStep);
    expect(valuesOf(vae)).toEqual(weightsAt[err!.restoredStep!]);
    trainer.dispose();
    vae.dispose();
  });

  it('after good steps, rolls back to the last step whose loss was finite, not to the start', async () => {
    const vae = Vae.create(makeConfig({ hidden: [64], latentDim: 2, seed: 6 }));
    const trainer = new Trainer(vae, subset, 10);
    await trainer.run({ steps: 20 });
    const good = valuesOf(vae);
    const tensors = tf.memory().numTensors;
    trainer.setHyperparameters({ learningRate: 0.9 }); // near the most the settings allow: diverges within a few steps
    const err = await diverged(() => trainer.run({ steps: 30 }));
    // Step 20's loss was computed on the weights after 20 good steps, and it was finite.
    expect(err.restoredStep).toBe(20);
    expect(err.message).toMatch(/rolled back to step 20/);
    expect(valuesOf(vae)).toEqual(good);
    expect(trainer.step).toBe(20);
    trainer.setHyperparameters({ learningRate: 1e-3 });
    const again = await trainer.run({ steps: 10 });
    expect(again[0].step).toBe(20);
    expect(again.every((m) => Number.isFinite(m.total))).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors); // Adam's moments are back, and the snapshots rotate
    trainer.dispose();
    vae.dispose();
  });
});
