/**
 * The convolutional family and the conditional variant (issue 12): their LayersModels compute what
 * training computes, the CVAE's loss terms equal hand-computed values on a tiny model, and both
 * train on real MNIST on the wasm backend with each implementation of the training ops, without leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import { takeFirst, type ImageDataset } from '../../src/core/data/dataset';
import { oneHot } from '../../src/core/model/conditional';
import { makeConfig, type VaeConfig } from '../../src/core/model/config';
import { CONV_LAYER_NAMES } from '../../src/core/model/conv';
import { Vae } from '../../src/core/model/vae';
import { Trainer } from '../../src/core/train/trainer';
import { KERNELS, useKernels } from './support/kernels';

let digits: ImageDataset;
beforeAll(async () => {
  digits = takeFirst((await loadDatasetFromDir()).train, 512);
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
const firstImages = (n: number) => tf.tensor2d(digits.images.subarray(0, n * 784), [n, 784]); // [n, 784]

/** Mean total loss of the first and the last `window` steps of `steps` training steps. */
async function lossFall(config: VaeConfig, steps: number, window = 5) {
  const vae = Vae.create(config);
  const trainer = new Trainer(vae, digits, 5);
  // The first step makes Adam's moments and the rollback snapshot; a later step must add nothing.
  const metrics = await trainer.run({ steps: 1 });
  const before = tf.memory().numTensors;
  trainer.trainStep();
  metrics.push(...(await trainer.readMetrics()));
  const leaked = tf.memory().numTensors - before;
  metrics.push(...(await trainer.run({ steps: steps - 2 })));
  const mean = (ms: typeof metrics) => ms.reduce((s, m) => s + m.total, 0) / ms.length;
  trainer.dispose();
  vae.dispose();
  return { leaked, first: mean(metrics.slice(0, window)), last: mean(metrics.slice(-window)), all: metrics };
}

describe('the convolutional family', () => {
  it("has the Keras example's layers, and its LayersModels compute the training forward pass", () => {
    const vae = Vae.create(makeConfig({ family: 'conv', latentDim: 3 }));
    const shapes = Object.fromEntries(vae.encoder.layers.concat(vae.decoder.layers).filter((l) => l.trainableWeights.length > 0).map((l) => [l.name, l.trainableWeights[0].shape]));
    expect(shapes).toEqual({
      [CONV_LAYER_NAMES.encoderConv(0)]: [3, 3, 1, 32],
      [CONV_LAYER_NAMES.encoderConv(1)]: [3, 3, 32, 64],
      encoder_dense_1: [3136, 16],
      z_mean: [16, 3],
      z_log_var: [16, 3],
      decoder_dense_1: [3, 3136],
      [CONV_LAYER_NAMES.decoderDeconv(0)]: [3, 3, 64, 64],
      [CONV_LAYER_NAMES.decoderDeconv(1)]: [3, 3, 32, 64],
      [CONV_LAYER_NAMES.decoderDeconv(2)]: [3, 3, 1, 32],
    });
    expect(vae.decoderDenseLayers()).toBeNull();
    const x = firstImages(4);
    const z = tf.randomNormal([4, 3], 0, 1, 'float32', 5) as tf.Tensor2D;
    const [mean, logVar] = vae.encoder.predict(x) as tf.Tensor[];
    const q = vae.encode(x);
    const logits = vae.decoder.predict(z) as tf.Tensor;
    const ours = vae.decodeLogits(z);
    expect(ours.shape).toEqual([4, 784]);
    expect(maxDiff(q.mean, mean)).toBeLessThan(1e-5);
    expect(maxDiff(q.logVar, logVar)).toBeLessThan(1e-5);
    expect(maxDiff(ours, logits)).toBeLessThan(1e-5);
    expect(tf.tidy(() => tf.max(tf.abs(logits)).dataSync()[0])).toBeGreaterThan(1e-3);
    tf.dispose([x, z, mean, logVar, q.mean, q.logVar, logits, ours]);
    vae.dispose();
  });

  it("its whole ELBO gradient, through the wasm-safe convolutions, equals tfjs' own autodiff through its LayersModels (cpu backend)", async () => {
    const backend = tf.getBackend();
    await tf.setBackend('cpu'); // where tfjs' stock Conv2D and Conv2DTranspose have their gradients
    try {
      const vae = Vae.create(makeConfig({ family: 'conv', latentDim: 4, seed: 2 }));
      const x = firstImages(6); // [6, 784]
      const eps = tf.randomNormal([6, 4], 0, 1, 'float32', 2) as tf.Tensor2D;
      const vars = vae.trainableVariables();
      const ours = tf.variableGrads(() => {
        const t = vae.lossTerms(x, eps);
        return tf.mean(tf.add(t.reconstruction, t.kl)) as tf.Scalar;
      }, vars);
      const stock = tf.variableGrads(() => {
        const [mean, logVar] = vae.encoder.apply(x) as tf.Tensor2D[]; // [6, 4] each
        const logits = vae.decoder.apply(tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps))) as tf.Tensor2D; // [6, 784]
        const reconstruction = tf.sum(tf.sub(tf.add(tf.relu(logits), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))), tf.mul(logits, x)), 1); // Bernoulli NLL [6]
        const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mean)), tf.exp(logVar)), 1)); // [6]
        return tf.mean(tf.add(reconstruction, kl)) as tf.Scalar;
      }, vars);
      expect(Math.abs(ours.value.dataSync()[0] - stock.value.dataSync()[0])).toBeLessThan(1e-3);
      for (const v of vars) {
        const scale = tf.tidy(() => tf.max(tf.abs(stock.grads[v.name])).dataSync()[0]);
        expect(scale, v.name).toBeGreaterThan(0);
        expect(maxDiff(ours.grads[v.name], stock.grads[v.name]), v.name).toBeLessThan(1e-4 * scale);
      }
      tf.dispose([x, eps, ours.value, stock.value, ...Object.values(ours.grads), ...Object.values(stock.grads)]);
      vae.dispose();
    } finally {
      await tf.setBackend(backend);
    }
  });

  describe.each(KERNELS)('trains on wasm with the %s ops', (kernels) => {
    useKernels(kernels);
    it('12 steps of batch 16 on MNIST lower the loss, and a step leaves no tensor behind', async () => {
      const { leaked, first, last, all } = await lossFall(makeConfig({ family: 'conv', latentDim: 2, batchSize: 16, seed: 3 }), 12, 3);
      expect(leaked).toBe(0);
      expect(all.every((m) => Number.isFinite(m.total))).toBe(true);
      expect(last).toBeLessThan(first - 40);
    });
  });
});

describe('the conditional variant', () => {
  it("the CVAE's loss terms equal hand-computed values on a tiny model (2 pixels, 2 classes, 1-D z, no hidden layer)", () => {
    // No hidden layer (the settings table wants one or more; the MLP family builds none as well).
    const vae = Vae.create({ ...makeConfig({ inputDim: 2, latentDim: 1, conditional: true, classes: 2 }), hidden: [] });
    // Encoder heads see [x1, x2, c1, c2]; the decoder's layer sees [z, c1, c2].
    const set = (model: tf.LayersModel, name: string, kernel: number[], bias: number[]) => {
      const layer = model.getLayer(name);
      layer.setWeights([tf.tensor2d(kernel, layer.trainableWeights[0].shape as [number, number]), tf.tensor1d(bias)]);
    };
    set(vae.encoder, 'z_mean', [0.5, -1, 2, 0], [0.1]);
    set(vae.encoder, 'z_log_var', [0, 1, 0, -1], [-0.5]);
    set(vae.decoder, 'decoder_logits', [1, -1, 0.5, 0, 2, -2], [0, 0.3]); // rows z, c1, c2; columns pixel 1, pixel 2
    const x = [1, 0];
    const c = [0, 1]; // class 1
    const eps = 0.7;
    const mean = 0.5 * x[0] - 1 * x[1] + 2 * c[0] + 0 * c[1] + 0.1; // 0.6
    const logVar = 0 * x[0] + 1 * x[1] + 0 * c[0] - 1 * c[1] - 0.5; // -1.5
    const z = mean + Math.exp(logVar / 2) * eps;
    const logits = [1 * z + 0.5 * c[0] + 2 * c[1] + 0, -1 * z + 0 * c[0] - 2 * c[1] + 0.3];
    const bce = (l: number, t: number) => Math.max(l, 0) - l * t + Math.log(1 + Math.exp(-Math.abs(l)));
    const reconstruction = bce(logits[0], x[0]) + bce(logits[1], x[1]);
    const kl = 0.5 * (mean * mean + Math.exp(logVar) - logVar - 1);
    const [rec, klOut] = tf.tidy(() => {
      const terms = vae.lossTerms(tf.tensor2d([x]), tf.tensor2d([[eps]]), tf.tensor2d([c]));
      return [terms.reconstruction.dataSync()[0], terms.kl.dataSync()[0]];
    });
    expect(rec).toBeCloseTo(reconstruction, 5);
    expect(klOut).toBeCloseTo(kl, 5);
    // The class matters: the same x and eps under class 0 give other terms.
    const other = tf.tidy(() => vae.lossTerms(tf.tensor2d([x]), tf.tensor2d([[eps]]), tf.tensor2d([[1, 0]])).kl.dataSync()[0]);
    expect(Math.abs(other - kl)).toBeGreaterThan(0.1);
    expect(() => tf.tidy(() => vae.lossTerms(tf.tensor2d([x]), tf.tensor2d([[eps]])).kl)).toThrow(/needs the class/);
    // A label the model has no class for (EMNIST's letters under a 10-class model) is refused, not encoded as all zeros.
    expect(() => oneHot([1, 2], 2)).toThrow(/label 2 is outside this conditional model's 2 classes/);
    vae.dispose();
  });

  for (const family of ['mlp', 'conv'] as const) {
    it(`${family}: the LayersModels take [x, c] and [z, c] and compute the training forward pass; the class changes the decoding`, () => {
      const vae = Vae.create(makeConfig({ family, hidden: [32], latentDim: 2, conditional: true }));
      expect(vae.encoder.inputs.map((i) => i.shape)).toEqual([[null, 784], [null, 10]]);
      expect(vae.decoder.inputs.map((i) => i.shape)).toEqual([[null, 2], [null, 10]]);
      expect(vae.decoderDenseLayers()).toBeNull();
      const x = firstImages(3);
      const c = oneHot(digits.labels.subarray(0, 3), 10);
      const z = tf.randomNormal([3, 2], 0, 1, 'float32', 2) as tf.Tensor2D;
      const [mean] = vae.encoder.predict([x, c]) as tf.Tensor[];
      const q = vae.encode(x, c);
      const logits = vae.decoder.predict([z, c]) as tf.Tensor;
      const ours = vae.decodeLogits(z, c);
      const otherClass = oneHot([9, 9, 9], 10);
      const shifted = vae.decodeLogits(z, otherClass);
      expect(maxDiff(q.mean, mean)).toBeLessThan(1e-5);
      expect(maxDiff(ours, logits)).toBeLessThan(1e-5);
      expect(maxDiff(ours, shifted)).toBeGreaterThan(1e-3);
      tf.dispose([x, c, z, mean, q.mean, q.logVar, logits, ours, otherClass, shifted]);
      vae.dispose();
    });
  }

  describe.each(KERNELS)('trains on wasm with the %s ops', (kernels) => {
    useKernels(kernels);
    it('MLP CVAE: 40 steps of batch 64 on MNIST (labels from the sampler) lower the loss, and a step leaves no tensor behind', async () => {
      const { leaked, first, last } = await lossFall(makeConfig({ hidden: [128], latentDim: 2, conditional: true, batchSize: 64, seed: 4 }), 40);
      expect(leaked).toBe(0);
      expect(last).toBeLessThan(first - 50);
    });
  });
});
