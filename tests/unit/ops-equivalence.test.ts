/**
 * The two implementations of the training ops (src/core/ops) compute the same VAE: from one seed,
 * the stock tfjs ops and the wasm accelerator's give the same forward passes and train to the same
 * losses, up to float32 rounding (the accelerator multiplies with FMA, skips zero pixels and sums
 * in another order).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import { takeFirst, type ImageDataset } from '../../src/core/data/dataset';
import { oneHot } from '../../src/core/model/conditional';
import { makeConfig, type VaeConfig } from '../../src/core/model/config';
import { Vae } from '../../src/core/model/vae';
import { Trainer, type StepMetrics } from '../../src/core/train/trainer';
import { withKernels } from './support/kernels';

let digits: ImageDataset;

beforeAll(async () => {
  digits = takeFirst((await loadDatasetFromDir()).train, 1000);
});

/** The losses of `steps` training steps from the config's seed, and the forward passes of the fresh model. */
async function trainOn(kernels: 'stock' | 'accelerated', config: VaeConfig, steps: number) {
  return withKernels(kernels, async () => {
    const vae = Vae.create({ ...config, hidden: [...config.hidden] });
    const forward = tf.tidy(() => {
      const x = tf.tensor2d(digits.images.subarray(0, 24 * 784), [24, 784]); // [B, D]
      const c = config.conditional ? oneHot(digits.labels.subarray(0, 24), config.classes) : undefined; // [B, C]
      const { mean, logVar } = vae.encode(x, c);
      const pixels = vae.decode(tf.randomNormal([24, config.latentDim], 0, 1, 'float32', 7) as tf.Tensor2D, c);
      return [mean, logVar, pixels].map((t) => Array.from(t.dataSync()));
    });
    const trainer = new Trainer(vae, digits, 5);
    const metrics: StepMetrics[] = await trainer.run({ steps });
    const weights = vae.trainableVariables().map((v) => Array.from(v.dataSync()));
    trainer.dispose();
    vae.dispose();
    return { forward, metrics, weights };
  });
}

const maxDiff = (a: number[], b: number[]) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

describe('stock and accelerated ops', () => {
  const cases: { name: string; config: Partial<VaeConfig> }[] = [
    // The accelerator's fast paths: the sparse first layer, FMA products, the fused latent block and Bernoulli loss, fused Adam.
    { name: '784-128-8, Bernoulli, batch 64', config: { hidden: [128], latentDim: 8, batchSize: 64 } },
    // Its fallbacks: a batch that is not a multiple of 4, tanh, the Gaussian likelihood, a 2-D latent space.
    { name: '784-32-16-2, tanh, Gaussian, batch 30', config: { hidden: [32, 16], latentDim: 2, activation: 'tanh', likelihood: 'gaussian', batchSize: 30 } },
    // No hidden layer: the encoder's heads are its first layer, on the data batch.
    { name: '784-4 (no hidden layer), batch 32', config: { hidden: [], latentDim: 4, batchSize: 32 } },
    // The conditional variant: the one-hot class joined to the encoder's and the decoder's inputs.
    { name: 'conditional 784-64-2 (10 classes), batch 32', config: { hidden: [64], latentDim: 2, batchSize: 32, conditional: true, classes: 10 } },
    // The conv family: its filters are updated in place by the fused Adam and read by XNNPACK's conv
    // operators, which tfjs-wasm caches with a packed copy of the filter (wasm-heap.ts, forgetCachedOperators).
    { name: 'conv, latent 4, batch 32', config: { family: 'conv', latentDim: 4, batchSize: 32 } },
    { name: 'conditional conv, latent 2, batch 32', config: { family: 'conv', latentDim: 2, batchSize: 32, conditional: true, classes: 10 } },
  ];
  for (const { name, config } of cases) {
    it(`${name}: from one seed, the same forward passes and the same losses over 10 steps`, async () => {
      const full = makeConfig({ seed: 11, ...config });
      const before = tf.memory().numTensors;
      const stock = await trainOn('stock', full, 10);
      const fast = await trainOn('accelerated', full, 10);
      expect(tf.memory().numTensors).toBe(before);
      fast.forward.forEach((values, i) => expect(maxDiff(values, stock.forward[i]), `forward output ${i}`).toBeLessThan(1e-4));
      expect(fast.metrics.map((m) => m.step)).toEqual(stock.metrics.map((m) => m.step));
      fast.metrics.forEach((m, i) => {
        const s = stock.metrics[i];
        for (const key of ['reconstruction', 'kl', 'total'] as const) {
          expect(Math.abs(m[key] - s[key]), `step ${m.step} ${key}: ${m[key]} vs ${s[key]}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(s[key])));
        }
      });
      expect(stock.metrics[9].total).toBeLessThan(stock.metrics[0].total); // it learns
      // Within a quarter of one Adam step (learning rate 1e-3): no weight took a step the other way.
      fast.weights.forEach((w, i) => expect(maxDiff(w, stock.weights[i]), `variable ${i}`).toBeLessThan(2.5e-4));
    });
  }

  // The whole gradient of the conv family on both ops, beside the 10 steps above: each op's part of it
  // (the dense layers, the heads, the latent block, the loss) at one point.
  it("conv, latent 4: the whole ELBO gradient, the losses and the forward passes agree (wasm, batch 32)", async () => {
    const config = makeConfig({ family: 'conv', latentDim: 4, seed: 11 });
    const gradientsOn = (kernels: 'stock' | 'accelerated') =>
      withKernels(kernels, () => {
        const vae = Vae.create(config);
        const out = tf.tidy(() => {
          const x = tf.tensor2d(digits.images.subarray(0, 32 * 784), [32, 784]); // [B, D]
          const eps = tf.randomNormal([32, 4], 0, 1, 'float32', 3) as tf.Tensor2D; // [B, Z]
          const variables = vae.trainableVariables();
          const { value, grads } = tf.variableGrads(() => {
            const t = vae.lossTerms(x, eps);
            return tf.mean(tf.add(t.reconstruction, t.kl)) as tf.Scalar;
          }, variables);
          return { loss: value.dataSync()[0], grads: variables.map((v) => Array.from(grads[v.name].dataSync())) };
        });
        vae.dispose();
        return out;
      });
    const before = tf.memory().numTensors;
    const stock = await gradientsOn('stock');
    const fast = await gradientsOn('accelerated');
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.abs(fast.loss - stock.loss)).toBeLessThan(1e-4 * stock.loss);
    expect(fast.grads).toHaveLength(18);
    fast.grads.forEach((g, i) => {
      const scale = Math.max(...stock.grads[i].map(Math.abs));
      expect(scale, `variable ${i}`).toBeGreaterThan(0);
      expect(maxDiff(g, stock.grads[i]), `variable ${i}`).toBeLessThan(1e-4 * scale);
    });
    const trained = await trainOn('stock', config, 1);
    const trainedFast = await trainOn('accelerated', config, 1);
    trainedFast.forward.forEach((values, i) => expect(maxDiff(values, trained.forward[i]), `forward output ${i}`).toBeLessThan(1e-4));
    expect(Math.abs(trainedFast.metrics[0].total - trained.metrics[0].total)).toBeLessThan(1e-4 * trained.metrics[0].total);
  });
});
