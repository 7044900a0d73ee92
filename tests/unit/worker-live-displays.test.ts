/**
 * The displays while training: the "Live panels" switch (`displays` request), the displays' share of
 * the worker's time, the losses posted in batches, and the worker's time split in the status.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import { takeFirst, type DatasetSplits } from '../../src/core/data/dataset';
import { makeConfig } from '../../src/core/model/config';
import { axisPlane } from '../../src/core/latent/plane';
import { codesWhileTraining } from '../../src/worker/displays';
import type { Timing } from '../../src/worker/handler';
import type { WorkerEvent } from '../../src/worker/protocol';
import { handlerHarness, waitUntil } from './support/handler';

let small: DatasetSplits;
/** A test set larger than the scatter's share while training (2,000). */
let wideTest: DatasetSplits;

beforeAll(async () => {
  const mnist = await loadDatasetFromDir();
  small = { name: 'mnist-small', train: takeFirst(mnist.train, 2000), test: takeFirst(mnist.test, 500) };
  wideTest = { name: 'mnist-wide-test', train: takeFirst(mnist.train, 2000), test: takeFirst(mnist.test, 2600) };
});

const view = { n: 4, ...axisPlane(2, 0, 1), base: [0, 0] };

/** The handler harness (every test sets the metrics cadence and the displays' share itself), with counts and statuses. */
function setup(timing: Partial<Timing>, data = () => small) {
  const harness = handlerHarness(data, timing);
  const { events } = harness;
  const count = (type: WorkerEvent['type']) => events.filter((e) => e.type === type).length;
  const statuses = () => events.flatMap((e) => (e.type === 'status' ? [e.status] : []));
  return { ...harness, count, statuses };
}

const config = makeConfig({ hidden: [32], latentDim: 2, batchSize: 50 });

describe('displays while training', () => {
  it('with Live panels off, training sends no codes, manifolds or weights; turned on, they come again', async () => {
    const { send, count, statuses } = setup({ metricsEvery: 5, postEveryMs: 0, displayShare: 1 });
    await send({ type: 'init', dataUrl: '', backend: 'auto', config, generation: 1, view });
    await send({ type: 'displays', live: false });
    expect(statuses().at(-1)?.liveDisplays).toBe(false);
    const before = { latents: count('latents'), manifold: count('manifold'), weights: count('weights') };
    await send({ type: 'train' });
    await waitUntil(() => (statuses().at(-1)?.step ?? 0) >= 60); // past an epoch (40 steps): no test ELBO either
    expect({ latents: count('latents'), manifold: count('manifold'), weights: count('weights') }).toEqual(before);
    expect(count('evaluation')).toBe(0);
    const split = statuses().at(-1)!.timeShares!;
    expect(split.codes + split.evaluation + split.manifold).toBe(0);
    expect(split.train).toBeGreaterThan(0);
    await send({ type: 'displays', live: true });
    await waitUntil(() => count('latents') > before.latents && count('manifold') > before.manifold && count('evaluation') > 0);
    await send({ type: 'pause' });
    expect(statuses().at(-1)).toMatchObject({ training: false, liveDisplays: true });
  });

  it('gives the displays about their share of the time, and posts every loss once, in batches', async () => {
    const { events, send, count, statuses } = setup({ metricsEvery: 1, postEveryMs: 200, displayShare: 0.05 });
    await send({ type: 'init', dataUrl: '', backend: 'auto', config, generation: 1, view });
    await send({ type: 'step' }); // Adam creates its moments on the first step
    const tensors = tf.memory().numTensors;
    await send({ type: 'train' });
    await waitUntil(() => (statuses().at(-1)?.step ?? 0) >= 400);
    const split = statuses().at(-1)!.timeShares!;
    // The bucket starts full (40 ms) and every piece pays after it ran: allow one piece over the share
    // (over 400 steps, so that on a busy CPU the start's full bucket weighs little: 150 once measured 0.163).
    expect(split.codes + split.evaluation + split.manifold).toBeLessThan(0.05 + 0.1);
    expect(split.codes + split.evaluation + split.manifold).toBeGreaterThan(0);
    await send({ type: 'pause' });
    const steps = events.flatMap((e) => (e.type === 'metrics' ? e.metrics.map((m) => m.step) : []));
    expect(steps).toEqual(Array.from({ length: statuses().at(-1)!.step }, (_, i) => i));
    expect(count('metrics')).toBeLessThan(steps.length / 3); // batched, though read back after every step
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('while training the scatter gets the codes of the first 2,000 test images, and of all of them on Pause', async () => {
    const { events, send, statuses } = setup({ metricsEvery: 5, postEveryMs: 0, displayShare: 1 }, () => wideTest);
    const counts = () => events.flatMap((e) => (e.type === 'latents' ? [e.count] : []));
    await send({ type: 'init', dataUrl: '', backend: 'auto', config, generation: 1, view });
    expect(counts().at(-1)).toBe(2600); // before training: the whole set
    const before = counts().length;
    await send({ type: 'train' });
    await waitUntil(() => counts().length > before && (statuses().at(-1)?.step ?? 0) > 0);
    expect(counts().slice(before)).toContain(2000);
    expect(Math.max(...counts().slice(before))).toBe(2000);
    await send({ type: 'pause' });
    expect(counts().at(-1)).toBe(2600);
  });

  it('sizes the scatter while training by what an image costs to encode: a slow encoder shows fewer images, not a stale scatter', () => {
    // Measured on wasm here: the MLP about 0.05 ms an image, the conv encoder 0.15 ms or more on a busy CPU.
    expect(codesWhileTraining(0.01, 0.015, 250)).toBe(2000);
    expect(codesWhileTraining(0, 0.015, 250)).toBe(2000); // not measured yet
    const slower = codesWhileTraining(0.05, 0.015, 250);
    expect(slower).toBeLessThan(2000);
    expect(slower).toBeGreaterThan(250);
    expect(slower % 250).toBe(0); // whole pieces
    // One refresh costs at most about ten seconds of wall time at the codes' half of the share.
    expect((slower * 0.05) / (0.015 / 2)).toBeLessThanOrEqual(10_000);
    expect(codesWhileTraining(0.05, 0.03, 250)).toBeGreaterThan(slower); // a larger share buys more images
    expect(codesWhileTraining(0.4, 0.015, 250)).toBe(250); // conv: a few dozen of each class
    expect(codesWhileTraining(50, 0.015, 250)).toBe(250); // never fewer than a few dozen of each class
  });
});
