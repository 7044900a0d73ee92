import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import { takeFirst, type DatasetSplits } from '../../src/core/data/dataset';
import { makeConfig, type VaeConfig } from '../../src/core/model/config';
import { axisPlane } from '../../src/core/latent/plane';
import type { DecoderSnapshot } from '../../src/core/latent/mlp-decoder';
import { handlerHarness, waitUntil as waitFor } from './support/handler';
import type { TrainingSession } from '../../src/worker/session';

let small: DatasetSplits;

beforeAll(async () => {
  const mnist = await loadDatasetFromDir();
  small = { name: 'mnist-small', train: takeFirst(mnist.train, 1000), test: takeFirst(mnist.test, 300) };
});

const config = (overrides: Partial<VaeConfig> = {}) => makeConfig({ hidden: [32], latentDim: 2, batchSize: 100, ...overrides });
const view = { n: 4, ...axisPlane(2, 0, 1), base: [0, 0] };

/** A handler wired to an event log, with fast timings (tests/unit/support/handler.ts). */
function setup() {
  const backendStarts: string[] = [];
  const harness = handlerHarness(() => small, {}, {
    initBackend: async (choice) => {
      backendStarts.push(choice);
      return { name: 'wasm', label: 'wasm (test)' };
    },
    loadData: async (_url, onProgress) => {
      onProgress(0.5, 'half way', false);
      return small;
    },
  });
  return { ...harness, backendStarts };
}

describe('TrainingHandler', () => {
  it('a warm-up starts the backend at once, and init joins that start instead of making another', async () => {
    const { send, ofType, backendStarts } = setup();
    await send({ type: 'warm-up', backend: 'wasm' });
    expect(backendStarts).toEqual(['wasm']);
    expect(ofType('done')[0]).toMatchObject({ id: 1 });
    await send({ type: 'init', dataUrl: '/data/mnist/', backend: 'wasm', config: config(), generation: 1, view });
    expect(ofType('ready')[0]).toMatchObject({ id: 2, backend: 'wasm' });
    expect(backendStarts).toEqual(['wasm']);
    // A different choice (the address changed) starts that backend.
    const other = setup();
    await other.send({ type: 'warm-up', backend: 'webgl' });
    await other.send({ type: 'init', dataUrl: '/data/mnist/', backend: 'auto', config: config(), generation: 1, view });
    expect(other.backendStarts).toEqual(['webgl', 'auto']);
  });

  it('init loads data, reports the backend and sends every display its first data', async () => {
    const { send, ofType, events } = setup();
    await send({ type: 'init', dataUrl: '/data/mnist/', backend: 'auto', config: config(), generation: 1, view });
    expect(ofType('progress')[0]).toMatchObject({ fraction: 0.5, message: 'half way' });
    const ready = ofType('ready')[0];
    expect(ready).toMatchObject({ id: 1, backend: 'wasm', backendLabel: 'wasm (test)', trainCount: 1000, testCount: 300, imageShape: [28, 28, 1] });
    expect(ready.testLabels).toEqual(small.test.labels);
    expect(ready.testLabels.buffer).not.toBe(small.test.labels.buffer); // a copy: transferring it leaves the worker's data intact
    expect(ready.testImages[ready.testImages.length - 1]).toBe(Math.round(small.test.images[small.test.images.length - 1] * 255));
    const weights = ofType('weights')[0];
    expect((weights.decoder as DecoderSnapshot).layers.map((l) => [l.inDim, l.outDim])).toEqual([[2, 32], [32, 784]]);
    expect(ofType('manifold')[0]).toMatchObject({ id: null, generation: 1, n: 4, pixels: 784 });
    expect(ofType('manifold')[0].images).toHaveLength(16 * 784);
    const latents = ofType('latents')[0];
    expect(latents).toMatchObject({ generation: 1, step: 0, count: 300, latentDim: 2 });
    expect(latents.means).toHaveLength(600);
    expect(events.at(-1)).toMatchObject({ type: 'status', status: { step: 0, training: false, generation: 1 } });
  });

  it('refuses work before init, in plain words', async () => {
    const { send, ofType } = setup();
    await send({ type: 'step' });
    expect(ofType('error')[0]).toMatchObject({ id: 1, message: expect.stringMatching(/not ready/) });
  });

  it('steps once, then trains continuously and pauses promptly', async () => {
    const { send, ofType, lastStatus, events } = setup();
    await send({ type: 'init', dataUrl: '', backend: 'auto', config: config(), generation: 1, view });
    await send({ type: 'step' });
    expect(ofType('metrics').flatMap((m) => m.metrics.map((x) => x.step))).toEqual([0]);
    expect(ofType('done').map((d) => d.id)).toEqual([2]);
    expect(lastStatus()).toMatchObject({ step: 1, training: false });

    await send({ type: 'train' });
    expect(lastStatus().training).toBe(true);
    await waitFor(() => lastStatus().step >= 25 && ofType('evaluation').length > 0);
    const running = lastStatus();
    expect(running.examplesPerSecond).toBeGreaterThan(0);
    expect(running.stepsPerEpoch).toBe(10);
    expect(ofType('evaluation')[0]).toMatchObject({ generation: 1, epoch: 1 });
    expect(ofType('evaluation')[0].summary.total).toBeGreaterThan(50);
    const atPause = events.length;
    await send({ type: 'pause' });
    const paused = lastStatus();
    expect(paused).toMatchObject({ training: false, examplesPerSecond: 0 });
    // The page shows paused only once its decoder copy holds the last step's weights.
    const after = events.slice(atPause);
    const firstPaused = after.findIndex((e) => e.type === 'status' && !e.status.training);
    const lastWeights = after.findIndex((e) => e.type === 'weights' && e.step === paused.step);
    expect(lastWeights).toBeGreaterThanOrEqual(0);
    expect(lastWeights).toBeLessThan(firstPaused);
    const steps = ofType('metrics').flatMap((m) => m.metrics.map((x) => x.step));
    expect(steps).toEqual(Array.from({ length: paused.step }, (_, i) => i)); // every step reported once, in order
    const count = events.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(events.length).toBe(count); // nothing after the pause
    expect(ofType('latents').at(-1)!.step).toBe(paused.step); // displays are in sync after a pause
  });

  it("Pause gives the test ELBO of the latest epoch, after an older epoch's evaluation still running", async () => {
    // Displays held to a sliver of the time, in small pieces: epoch 1's evaluation is still running at epoch 3.
    const { send, ofType, lastStatus } = handlerHarness(() => small, { displayShare: 0.0005, batchRows: 10 });
    await send({ type: 'init', dataUrl: '', backend: 'auto', config: config(), generation: 1, view });
    await send({ type: 'train' });
    await waitFor(() => lastStatus().epoch >= 3);
    await send({ type: 'pause' });
    const paused = lastStatus();
    const epochs = ofType('evaluation').map((e) => e.epoch);
    expect(epochs.at(-1)).toBe(paused.epoch);
    expect(ofType('evaluation').at(-1)!.step).toBe(paused.step);
  });

  it('changes hyperparameters through the trainer, keeping the weights, and refuses architecture changes without a reset', async () => {
    const { handler, send, ofType, lastStatus } = setup();
    await send({ type: 'init', dataUrl: '', backend: 'auto', config: config(), generation: 1, view });
    for (let i = 0; i < 3; i++) await send({ type: 'step' });
    await send({ type: 'configure', config: config({ beta: 0.5, learningRate: 0.01, batchSize: 250, klWarmupSteps: 10 }) });
    const session = (handler as unknown as { session: TrainingSession }).session;
    expect(session.config).toMatchObject({ beta: 0.5, learningRate: 0.01, batchSize: 250, klWarmupSteps: 10 });
    expect(lastStatus()).toMatchObject({ step: 3, stepsPerEpoch: 4 });
    await send({ type: 'step' });
    expect(ofType('metrics').at(-1)!.metrics.at(-1)!.step).toBe(3);
    await send({ type: 'configure', config: config({ latentDim: 3 }) });
    expect(ofType('error').at(-1)).toMatchObject({ id: 7, message: expect.stringMatching(/reset the model/) });
  });

  it('reset starts a new generation; a view request is answered with its manifold', async () => {
    const { send, ofType, lastStatus } = setup();
    await send({ type: 'init', dataUrl: '', backend: 'auto', config: config(), generation: 1, view });
    await send({ type: 'step' });
    await send({ type: 'reset', config: config({ latentDim: 3, hidden: [16, 8] }), generation: 2 });
    expect(lastStatus()).toMatchObject({ generation: 2, step: 0 });
    expect(ofType('latents').at(-1)).toMatchObject({ generation: 2, latentDim: 3 });
    // The old 2-D view no longer fits: the manifold falls back to z1, z2.
    expect(ofType('manifold').at(-1)).toMatchObject({ generation: 2, n: 4 });
    await send({ type: 'view', view: { n: 6, ...axisPlane(3, 0, 2), base: [0, 1, 0] } });
    expect(ofType('manifold').at(-1)).toMatchObject({ id: 4, generation: 2, n: 6 });
  });

  it('reports a diverged loss in plain words, stops and rolls back', async () => {
    const { handler, send, ofType, lastStatus } = setup();
    await send({ type: 'init', dataUrl: '', backend: 'auto', config: config(), generation: 1, view });
    await send({ type: 'step' });
    const session = (handler as unknown as { session: TrainingSession }).session;
    const [kernel] = session.vae.trainableVariables();
    kernel.assign(tf.fill(kernel.shape, NaN));
    await send({ type: 'train' });
    await waitFor(() => ofType('error').length > 0);
    expect(ofType('error')[0]).toMatchObject({ id: null, message: expect.stringMatching(/diverged.*lower learning rate/) });
    await waitFor(() => !lastStatus().training);
    expect(handler.isTraining).toBe(false);
  });

  it('leaks no tensors while stepping, training and refreshing', async () => {
    const { send, lastStatus } = setup();
    await send({ type: 'init', dataUrl: '', backend: 'auto', config: config(), generation: 1, view });
    await send({ type: 'step' }); // Adam creates its moments on the first step
    await send({ type: 'step' });
    const before = tf.memory().numTensors;
    await send({ type: 'train' });
    await waitFor(() => lastStatus().step >= 25);
    await send({ type: 'pause' });
    await send({ type: 'view', view: { ...view, n: 3 } });
    await send({ type: 'step' });
    expect(tf.memory().numTensors).toBe(before);
  });
});
