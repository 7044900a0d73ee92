/**
 * The decoder weights reach the page's copies on their own clock while training (issue 12.3): a conv
 * model's manifold costs far more than its weights, and within the displays' share of the worker's
 * time it comes round rarely; the weights still come every `weightsEveryMs`, and the copy built from
 * the last of them decodes what the trained model decodes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import { takeFirst, type DatasetSplits } from '../../src/core/data/dataset';
import { isNetworkSnapshot } from '../../src/core/latent/network-snapshot';
import { axisPlane } from '../../src/core/latent/plane';
import { makeConfig } from '../../src/core/model/config';
import type { RequestBody } from '../../src/worker/client';
import { DecoderCopy } from '../../src/worker/decoder-copy';
import { TrainingHandler } from '../../src/worker/handler';
import type { WorkerEvent, WorkerRequest } from '../../src/worker/protocol';

let small: DatasetSplits;
beforeAll(async () => {
  const mnist = await loadDatasetFromDir();
  small = { name: 'mnist-small', train: takeFirst(mnist.train, 400), test: takeFirst(mnist.test, 100) };
});

describe('decoder weights while training a conv model', () => {
  it('come every weightsEveryMs though the manifold is rare, and the last ones decode as the trained model does', async () => {
    const events: { at: number; e: WorkerEvent }[] = [];
    const handler = new TrainingHandler({
      post: (e) => void events.push({ at: performance.now(), e }),
      initBackend: async () => ({ name: 'wasm', label: 'wasm (test)' }),
      loadData: async () => small,
      yieldToEvents: () => new Promise((r) => setImmediate(r)),
      timing: { metricsEvery: 1, weightsEveryMs: 150, latentsMinIntervalMs: 60_000, batchRows: 100, displayShare: 0.02 },
    });
    let id = 1;
    const send = (req: RequestBody) => handler.handle({ ...req, id: id++ } as WorkerRequest);
    const of = <T extends WorkerEvent['type']>(type: T, after = 0) => events.filter((x) => x.at >= after && x.e.type === type).map((x) => x.e as Extract<WorkerEvent, { type: T }>);
    await send({ type: 'init', dataUrl: '', backend: 'auto', config: makeConfig({ family: 'conv', latentDim: 2, batchSize: 8 }), generation: 1, view: { n: 6, ...axisPlane(2, 0, 1), base: [0, 0] } });
    const started = performance.now();
    await send({ type: 'train' });
    await new Promise((r) => setTimeout(r, 3000));
    const stopped = performance.now(); // what Pause then posts does not count
    await send({ type: 'pause' });
    const weights = events.filter((x) => x.at >= started && x.at < stopped && x.e.type === 'weights');
    const manifolds = events.filter((x) => x.at >= started && x.at < stopped && x.e.type === 'manifold');
    expect(weights.length).toBeGreaterThanOrEqual(5);
    expect(weights.length).toBeGreaterThan(manifolds.length);
    const steps = weights.map((x) => (x.e as Extract<WorkerEvent, { type: 'weights' }>).step);
    expect(steps.at(-1)!).toBeGreaterThan(steps[0]); // later weights, not the same ones again
    // After Pause the page gets the final weights; a copy of them decodes what the worker's model decodes.
    const last = of('weights').at(-1)!.decoder;
    expect(isNetworkSnapshot(last)).toBe(true);
    const copy = new DecoderCopy();
    copy.load(last as Parameters<DecoderCopy['load']>[0]);
    await send({ type: 'decode', z: [0.4, -0.6] });
    const own = of('decoded').at(-1)!.pixels;
    const mine = await copy.decode([0.4, -0.6]);
    expect(Math.max(...Array.from(mine, (v, i) => Math.abs(v - own[i])))).toBeLessThan(1e-5);
    copy.dispose();
  });
});
