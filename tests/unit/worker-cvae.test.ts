/**
 * A conditional VAE in the worker (issue 12.1): the model says its classes and is decoded in the
 * worker; the test digits are encoded under their own classes; `decode-class` sets the class of
 * decode and the manifold; `decode-classes` decodes one z under every class (the class row).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { handlerHarness } from './support/handler';
import { directorySink, loadModelFromDirectory } from '../../scripts/lib/weights-node';
import { saveVae } from '../../src/core/io/save';
import { decodePoint } from '../../src/core/model/codec';
import { oneHot } from '../../src/core/model/conditional';
import { Vae } from '../../src/core/model/vae';
import { ActiveModel } from '../../src/worker/model';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import { takeFirst, type DatasetSplits } from '../../src/core/data/dataset';
import { makeConfig, type VaeConfig } from '../../src/core/model/config';
import { axisPlane } from '../../src/core/latent/plane';

let small: DatasetSplits;
beforeAll(async () => {
  const mnist = await loadDatasetFromDir();
  small = { name: 'mnist-small', train: takeFirst(mnist.train, 300), test: takeFirst(mnist.test, 100) };
});

/** A handler started on a fresh model of `config`, with its event log. */
async function started(config: VaeConfig) {
  const { send, ofType } = handlerHarness(() => small, { metricsEvery: 1 });
  await send({ type: 'init', dataUrl: '', backend: 'auto', config, generation: 1, view: { n: 3, ...axisPlane(2, 0, 1), base: [0, 0] } });
  return { send, ofType };
}

const decodeOnce = async (w: Awaited<ReturnType<typeof started>>, z: number[]) => {
  await w.send({ type: 'decode', z });
  return w.ofType('decoded').at(-1)!.pixels;
};
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('a conditional VAE in the worker', () => {
  it('says its classes, decodes in the worker, encodes the test digits, trains, and decodes under the chosen class', async () => {
    const w = await started(makeConfig({ hidden: [32], latentDim: 2, batchSize: 50, conditional: true, seed: 5 }));
    const info = w.ofType('model').at(-1)!.info;
    expect(info).toMatchObject({ classes: 10, decodeInWorker: true, family: 'mlp' });
    expect(w.ofType('weights').at(-1)?.decoder).toMatchObject({ classes: 10, layers: [{ inDim: 12, outDim: 32 }, { inDim: 32, outDim: 784 }] }); // decoded on the main thread, z and the one-hot class
    expect(w.ofType('latents').at(-1)).toMatchObject({ count: 100, latentDim: 2 });
    await w.send({ type: 'step' });
    expect(w.ofType('error')).toEqual([]);

    const z = [0.3, -0.8];
    const asZero = await decodeOnce(w, z);
    const id = await w.send({ type: 'decode-class', label: 7 });
    expect(w.ofType('manifold').at(-1)).toMatchObject({ id, generation: 1, n: 3 });
    const asSeven = await decodeOnce(w, z);
    expect(maxDiff(asZero, asSeven)).toBeGreaterThan(1e-4);

    await w.send({ type: 'decode-classes', z });
    const row = w.ofType('decoded-batch').at(-1)!.pixels;
    expect(row).toHaveLength(10 * 784);
    expect(maxDiff(row.subarray(7 * 784, 8 * 784), asSeven)).toBeLessThan(1e-6);
    expect(maxDiff(row.subarray(0, 784), asZero)).toBeLessThan(1e-6);

    await w.send({ type: 'decode-class', label: 10 });
    expect(w.ofType('error').at(-1)?.message).toMatch(/class must be a whole number from 0 to 9/);
  });

  it('a model that is not conditional refuses a class in words', async () => {
    const w = await started(makeConfig({ hidden: [16], latentDim: 2, batchSize: 50 }));
    expect(w.ofType('model').at(-1)!.info.classes).toBeUndefined();
    await w.send({ type: 'decode-classes', z: [0, 0] });
    expect(w.ofType('error').at(-1)?.message).toMatch(/not conditional/);
  });
});

describe('a saved conditional VAE', () => {
  it('loads back into the worker trainable, with its classes, decoding under the chosen class', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cvae-'));
    const config = makeConfig({ hidden: [16], latentDim: 2, conditional: true, seed: 3 });
    const vae = Vae.create(config);
    await saveVae(vae, directorySink(dir), { dataset: 'mnist', training: { epochs: 0 } });
    const model = ActiveModel.fromLoaded(await loadModelFromDirectory(dir), { label: 'a file', url: null }, 2, config);
    expect(model.info).toMatchObject({ trainable: true, classes: 10, decodeInWorker: true, family: 'mlp' });
    const z = [0.4, 0.1];
    model.codec.decodeClass = 4;
    const loaded = await decodePoint(model.codec, z);
    const expected = tf.tidy(() => vae.decode(tf.tensor2d([z]), oneHot([4], 10)).dataSync());
    expect(Math.max(...loaded.map((v, i) => Math.abs(v - expected[i])))).toBeLessThan(1e-6);
    model.dispose();
    vae.dispose();
    await rm(dir, { recursive: true, force: true });
  });
});
