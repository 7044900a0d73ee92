import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { handlerHarness } from './support/handler';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import { takeFirst, type DatasetSplits } from '../../src/core/data/dataset';
import { makeConfig } from '../../src/core/model/config';
import { axisPlane } from '../../src/core/latent/plane';
import type { DecoderSnapshot } from '../../src/core/latent/mlp-decoder';

let small: DatasetSplits;

beforeAll(async () => {
  const mnist = await loadDatasetFromDir();
  small = { name: 'mnist-small', train: takeFirst(mnist.train, 1000), test: takeFirst(mnist.test, 300) };
});

/** Resolves once `condition` holds, checking after each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setImmediate(r));
}

describe('the worker after a divergence', () => {
  it('rolls back to the model before training, redraws every display from it, and trains again at a sane learning rate', async () => {
    const { handler, events, send, ofType } = handlerHarness(() => small);
    const view = { n: 4, ...axisPlane(2, 0, 1), base: [0, 0] };
    const config = makeConfig({ hidden: [32], latentDim: 2, batchSize: 100, learningRate: 0.5 });
    await send({ type: 'init', dataUrl: '', backend: 'wasm', config, generation: 1, view });
    const firstCodes = ofType('latents').at(-1)!.means.slice();
    const firstManifold = ofType('manifold').at(-1)!.images.slice();
    const firstKernel = (ofType('weights').at(-1)!.decoder as DecoderSnapshot).layers[0].kernel.slice();
    const tensors = tf.memory().numTensors;

    await send({ type: 'train' });
    await until(() => ofType('error').length > 0);
    const failedAt = events.findIndex((e) => e.type === 'error');
    expect(ofType('error')[0].message).toMatch(/diverged.*rolled back to where training started \(step 0\)/);
    expect(ofType('rollback')).toEqual([{ type: 'rollback', generation: 1, step: 0 }]);
    // The displays are redone from the restored weights: the very codes, manifold and decoder of before.
    await until(() => events.slice(failedAt).some((e) => e.type === 'latents') && !handler.isTraining);
    await send({ type: 'pause' });
    expect(ofType('latents').at(-1)!.means).toEqual(firstCodes);
    expect(ofType('manifold').at(-1)!.images).toEqual(firstManifold);
    expect((ofType('weights').at(-1)!.decoder as DecoderSnapshot).layers[0].kernel).toEqual(firstKernel);
    expect(ofType('status').at(-1)!.status).toMatchObject({ training: false, step: 0, epoch: 0 });
    expect(tf.memory().numTensors).toBe(tensors);

    // A sane learning rate trains from there.
    await send({ type: 'configure', config: { ...config, learningRate: 1e-3 } });
    const before = ofType('metrics').length;
    await send({ type: 'train' });
    await until(() => (ofType('status').at(-1)?.status.step ?? 0) >= 20);
    await send({ type: 'pause' });
    const fresh = ofType('metrics').slice(before).flatMap((e) => e.metrics);
    expect(fresh[0].step).toBe(0);
    expect(fresh.length).toBeGreaterThanOrEqual(20);
    expect(fresh.every((m) => Number.isFinite(m.total))).toBe(true);
    expect(ofType('error')).toHaveLength(1);
  });
});
