import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import { takeFirst, type DatasetSplits, type ImageDataset } from '../../src/core/data/dataset';
import { makeConfig } from '../../src/core/model/config';
import { evaluateElbo, importanceWeightedLogLikelihood } from '../../src/core/model/evaluate';
import { Vae } from '../../src/core/model/vae';
import { Trainer, TrainingDivergedError } from '../../src/core/train/trainer';
import { KERNELS, useKernels } from './support/kernels';

let mnist: DatasetSplits;
let subset: ImageDataset;

beforeAll(async () => {
  mnist = await loadDatasetFromDir();
  subset = takeFirst(mnist.train, 2000);
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

// Every test on both implementations of the training ops: stock tfjs and the wasm accelerator.
describe.each(KERNELS)('on %s ops', (kernels) => {
  useKernels(kernels);

  describe('Trainer on real MNIST', () => {
    it('200 steps on 2,000 digits lower the loss clearly', async () => {
      const vae = Vae.create(makeConfig({ hidden: [128], latentDim: 20, seed: 3 }));
      const trainer = new Trainer(vae, subset);
      const metrics = await trainer.run({ steps: 200 });
      expect(metrics).toHaveLength(200);
      expect(metrics.map((m) => m.step)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      const first = mean(metrics.slice(0, 10).map((m) => m.total));
      const last = mean(metrics.slice(-10).map((m) => m.total));
      expect(first).toBeGreaterThan(350); // an untrained decoder: ~543 nats (784 log 2) at the start
      expect(last).toBeLessThan(first - 150);
      expect(last).toBeLessThan(200);
      // reconstruction + KL = total when beta = 1
      for (const m of metrics.slice(-5)) expect(m.total).toBeCloseTo(m.reconstruction + m.kl, 2);
      trainer.dispose();
      vae.dispose();
    });

    it('leaks no tensors over 100 steps', async () => {
      const vae = Vae.create(makeConfig({ hidden: [64], latentDim: 2 }));
      const trainer = new Trainer(vae, subset);
      await trainer.run({ steps: 2 }); // Adam creates its moment variables on the first step
      const before = tf.memory().numTensors;
      await trainer.run({ steps: 100 });
      expect(tf.memory().numTensors).toBe(before);
      trainer.dispose();
      vae.dispose();
    });

    it('pauses mid-epoch and resumes where it stopped, then reaches the next epoch', async () => {
      const vae = Vae.create(makeConfig({ hidden: [32], latentDim: 2, batchSize: 500 }));
      const trainer = new Trainer(vae, subset);
      expect(trainer.stepsPerEpoch).toBe(4);
      let calls = 0;
      await trainer.run({ untilEpochEnd: true, shouldStop: () => ++calls > 2 });
      expect(trainer.step).toBe(2);
      expect(trainer.epoch).toBe(0);
      expect(trainer.epochProgress).toBeCloseTo(0.5);
      const rest = await trainer.run({ untilEpochEnd: true });
      expect(rest.map((m) => m.step)).toEqual([2, 3]);
      expect(trainer.epoch).toBe(1);
      trainer.dispose();
      vae.dispose();
    });

    it('gradients reach the encoder through z (beta = 0 leaves only the reconstruction path)', () => {
      const vae = Vae.create(makeConfig({ hidden: [32], latentDim: 2, beta: 0 }));
      const x = tf.tensor2d(subset.images.subarray(0, 16 * 784), [16, 784]);
      const eps = tf.randomNormal([16, 2], 0, 1, 'float32', 1) as tf.Tensor2D;
      const encoderVars = vae.encoder.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => tf.mean(vae.lossTerms(x, eps).reconstruction) as tf.Scalar, encoderVars);
      for (const v of encoderVars) {
        const norm = tf.norm(grads[v.name]).dataSync()[0];
        expect(norm, v.name).toBeGreaterThan(1e-4);
      }
      tf.dispose([x, eps, value, ...Object.values(grads)]);
      vae.dispose();
    });

    // Stock Adam assigns fresh tensors; only the accelerator's fused Adam updates in place.
    it.runIf(kernels === 'accelerated')('the rollback snapshot leaves Adam updating the weights in place (wasm)', async () => {
      const vae = Vae.create(makeConfig({ hidden: [16], latentDim: 2 }));
      const trainer = new Trainer(vae, subset);
      await trainer.run({ steps: 12 }); // snapshots at steps 10 and 12
      const variables = vae.trainableVariables();
      const memory = variables.map((v) => v.dataId);
      const before = variables.map((v) => v.dataSync().slice());
      trainer.trainStep();
      await trainer.readMetrics(); // another snapshot
      trainer.trainStep();
      expect(variables.map((v) => v.dataId)).toEqual(memory); // a clone would share memory and force new buffers
      expect(variables.every((v, i) => v.dataSync().some((x, j) => x !== before[i][j]))).toBe(true);
      trainer.dispose();
      vae.dispose();
    });

    it('a NaN loss stops training with a plain message and rolls the weights back', async () => {
      const vae = Vae.create(makeConfig({ hidden: [16], latentDim: 2 }));
      const trainer = new Trainer(vae, subset);
      await trainer.run({ steps: 3 });
      const [kernel] = vae.trainableVariables();
      const good = kernel.clone();
      await trainer.run({ steps: 3 }); // step 3's finite loss vouches for the weights read after step 3
      kernel.assign(tf.fill(kernel.shape, NaN));
      trainer.trainStep();
      const failure = trainer.readMetrics();
      await expect(failure).rejects.toThrow(TrainingDivergedError);
      await expect(failure).rejects.toThrow(/NaN or infinite at step 6.*rolled back to step 3.*lower learning rate/);
      // rolled back: the kernel holds the last good values again
      expect(tf.max(tf.abs(tf.sub(kernel, good))).dataSync()[0]).toBe(0);
      // and training goes on with finite losses (Adam's poisoned moments were reset)
      const after = await trainer.run({ steps: 5 });
      expect(after.every((m) => Number.isFinite(m.total))).toBe(true);
      good.dispose();
      trainer.dispose();
      vae.dispose();
    });
  });

  describe('test-set evaluation', () => {
    it('the importance-weighted bound is tighter than the ELBO, and both beat an untrained model', async () => {
      const config = makeConfig({ hidden: [64], latentDim: 5, seed: 2 });
      const test = takeFirst(mnist.test, 300);
      const untrained = Vae.create(config);
      const before = await evaluateElbo(untrained, test);
      const trainer = new Trainer(untrained, subset);
      await trainer.run({ steps: 150 });
      const tensors = tf.memory().numTensors;
      const elbo = await evaluateElbo(untrained, test);
      const iwae = await importanceWeightedLogLikelihood(untrained, test, 20);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(elbo.total).toBeLessThan(before.total - 100);
      expect(elbo.total).toBeCloseTo(elbo.reconstruction + elbo.kl, 3);
      expect(iwae).toBeGreaterThan(-elbo.total); // log p(x) >= IWAE_k >= ELBO
      expect(iwae).toBeLessThan(-elbo.total + 30);
      trainer.dispose();
      untrained.dispose();
    });
  });

  describe('settings that keep the weights', () => {
    it('a new batch size and learning rate apply from the next step; steps, epochs and Adam carry over', async () => {
      const vae = Vae.create(makeConfig({ hidden: [16], latentDim: 2, batchSize: 500 }));
      const trainer = new Trainer(vae, subset);
      await trainer.run({ steps: 5 }); // epoch 0 done (4 steps), one step into epoch 1
      expect(trainer.epoch).toBe(1);
      // A step size far below float32's resolution of these weights: they cannot move.
      trainer.setHyperparameters({ batchSize: 1000, learningRate: 1e-15 });
      expect(trainer.stepsPerEpoch).toBe(2);
      const before = vae.trainableVariables().map((v) => v.dataSync().slice());
      const metrics = await trainer.run({ steps: 3 });
      expect(metrics.map((m) => m.step)).toEqual([5, 6, 7]);
      expect(metrics.map((m) => m.epoch)).toEqual([1, 1, 2]);
      // learning rate 1e-15: the weights did not move
      vae.trainableVariables().forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from(before[i])));
      trainer.dispose();
      vae.dispose();
    });
  });
});
