/** The worker's `encode` and `decode-batch` requests, through the real handler on real MNIST and tfjs. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { handlerHarness } from './support/handler';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import { takeFirst, type DatasetSplits } from '../../src/core/data/dataset';
import { axisPlane } from '../../src/core/latent/plane';
import { makeConfig } from '../../src/core/model/config';
import { encodeImages } from '../../src/worker/explore';
import type { ActiveModel } from '../../src/worker/model';

let small: DatasetSplits;

beforeAll(async () => {
  const mnist = await loadDatasetFromDir();
  small = { name: 'mnist-small', train: takeFirst(mnist.train, 2000), test: takeFirst(mnist.test, 300) };
});

async function started() {
  const { handler, send, ofType } = handlerHarness(() => small);
  await send({ type: 'init', dataUrl: '/data/mnist/', backend: 'wasm', config: makeConfig({ hidden: [64], latentDim: 3, batchSize: 100, seed: 2 }), generation: 1, view: { n: 3, ...axisPlane(3, 0, 1), base: [0, 0, 0] } });
  return { handler, send, ofType };
}

describe('explore requests', () => {
  it('encode gives each image its posterior (the same as the test-set codes), reconstructions and negative ELBO terms, without leaking tensors', async () => {
    const { send, ofType } = await started();
    for (let i = 0; i < 60; i++) await send({ type: 'step' }); // a model that has learned a little
    const codes = ofType('latents').at(-1)!;
    const before = tf.memory().numTensors;
    const images = small.test.images.slice(0, 4 * 784);
    await send({ type: 'encode', images, count: 4, seed: 11, samples: 8 });
    expect(tf.memory().numTensors).toBe(before);
    const reply = ofType('encoded').at(-1)!;
    expect(reply).toMatchObject({ count: 4, latentDim: 3, generation: 1, step: 60 });
    expect(reply.means).toHaveLength(12);
    // The same digits encoded by the display job (same weights: its codes came after the last step).
    expect(codes.step).toBe(60);
    for (let k = 0; k < 12; k++) expect(reply.means[k]).toBeCloseTo(codes.means[k], 4);
    for (let k = 0; k < 12; k++) expect(reply.logVars[k]).toBeCloseTo(codes.logVars[k], 4);
    expect(reply.atMean).toHaveLength(4 * 784);
    expect(reply.atSample).toHaveLength(4 * 784);
    for (const v of reply.atMean) expect(v >= 0 && v <= 1).toBe(true);
    expect(reply.atSample).not.toEqual(reply.atMean); // a sample of q(z|x), not its mean
    // Negative ELBO terms of a partly trained model: positive, and like the test-set loss.
    const lastStep = await (async () => {
      await send({ type: 'pause' });
      return ofType('metrics').flatMap((m) => m.metrics).at(-1)!;
    })();
    for (let i = 0; i < 4; i++) {
      expect(reply.kl[i]).toBeGreaterThan(0);
      expect(reply.reconstruction[i]).toBeGreaterThan(30);
      expect(reply.reconstruction[i] + reply.kl[i]).toBeLessThan(2 * lastStep.total);
    }
    // The KL is the closed form of the posterior it reports.
    for (let i = 0; i < 4; i++) {
      let kl = 0;
      for (let k = 0; k < 3; k++) {
        const [m, lv] = [reply.means[i * 3 + k], reply.logVars[i * 3 + k]];
        kl += 0.5 * (m * m + Math.exp(lv) - lv - 1);
      }
      expect(reply.kl[i]).toBeCloseTo(kl, 3);
    }
    // An image of noise is much less likely under the model than any of the digits.
    const noise = Float32Array.from({ length: 784 }, (_, i) => ((i * 7919) % 13) / 12);
    await send({ type: 'encode', images: noise, count: 1, seed: 11, samples: 8 });
    const noisy = ofType('encoded').at(-1)!;
    expect(noisy.reconstruction[0] + noisy.kl[0]).toBeGreaterThan(Math.max(...Array.from(reply.reconstruction, (r, i) => r + reply.kl[i])));
  });

  it('decode-batch decodes several points like the model, and bad requests are answered with errors in words', async () => {
    const { send, ofType } = await started();
    const z = Float32Array.from([0, 0, 0, 1.5, -1, 0.5]);
    await send({ type: 'decode-batch', z, count: 2 });
    const batch = ofType('decoded-batch').at(-1)!;
    expect(batch.pixels).toHaveLength(2 * 784);
    await send({ type: 'decode', z: [1.5, -1, 0.5] });
    const single = ofType('decoded').at(-1)!;
    for (let i = 0; i < 784; i += 37) expect(batch.pixels[784 + i]).toBeCloseTo(single.pixels[i], 5);
    await send({ type: 'decode-batch', z: new Float32Array(5), count: 2 });
    expect(ofType('error').at(-1)!.message).toMatch(/points of 3 coordinates, got 5 values/);
    await send({ type: 'encode', images: new Float32Array(100), count: 1, seed: 1, samples: 4 });
    expect(ofType('error').at(-1)!.message).toMatch(/images of 784 pixels/);
  });

  it('an encoder that gives the mean alone: z at the mean, a reconstruction cost, and no KL (NaN), without leaking tensors', async () => {
    const w = tf.randomNormal([784, 2], 0, 0.05, 'float32', 3) as tf.Tensor2D; // [D, Z]
    const v = tf.randomNormal([2, 784], 0, 0.5, 'float32', 4) as tf.Tensor2D; // [Z, D]
    const codec = {
      latentDim: 2,
      inputDim: 784,
      hasLogVar: false,
      encode: (x: tf.Tensor2D) => tf.tidy(() => {
        const mean = tf.matMul(x, w); // [B, Z]
        return { mean, logVar: tf.fill(mean.shape as [number, number], NaN) as tf.Tensor2D };
      }),
      decode: (z: tf.Tensor2D) => tf.tidy(() => tf.sigmoid(tf.matMul(z, v))), // [B, D]
    };
    const model = { codec, info: { generation: 3, likelihood: 'bernoulli' }, trainableVae: null, session: null } as unknown as ActiveModel;
    const before = tf.memory().numTensors;
    const out = await encodeImages(model, { type: 'encode', id: 9, images: small.test.images.slice(0, 2 * 784), count: 2, seed: 1, samples: 16 });
    expect(tf.memory().numTensors).toBe(before);
    expect(out).toMatchObject({ id: 9, generation: 3, count: 2, latentDim: 2 });
    expect(Array.from(out.atSample)).toEqual(Array.from(out.atMean)); // no σ: the "sample" is the mean
    for (let i = 0; i < 2; i++) {
      expect(out.reconstruction[i]).toBeGreaterThan(0);
      expect(Number.isNaN(out.kl[i])).toBe(true);
    }
    tf.dispose([w, v]);
  });
});
