/**
 * The number of classes comes from the dataset (issue 12.5): a conditional VAE asked for on a
 * 26-class dataset (EMNIST letters, real IDX bytes built here) is made with a 26-wide one-hot code,
 * trains without error and without leaking tensors, and `ready` carries the class names; a trained
 * conditional model made for 10 classes is refused in one sentence, and Reset makes a 26-class one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { directorySink, loadModelFromDirectory } from '../../scripts/lib/weights-node';
import { idxFileNames, MNIST_NAMES } from '../../src/core/data/file-names';
import { encodeIdx } from '../../src/core/data/idx';
import { decodeSplits } from '../../src/core/data/load-dataset';
import type { DatasetSplits } from '../../src/core/data/dataset';
import { saveVae } from '../../src/core/io/save';
import { axisPlane } from '../../src/core/latent/plane';
import { makeConfig, type VaeConfig } from '../../src/core/model/config';
import { Vae } from '../../src/core/model/vae';
import type { RequestBody } from '../../src/worker/client';
import { TrainingHandler } from '../../src/worker/handler';
import type { ModelSource, WorkerEvent, WorkerRequest } from '../../src/worker/protocol';

/** EMNIST letters as its files hold them: 28x28 bytes, labels 1 to 26 (every letter present), decoded as the app does. */
async function letters(): Promise<DatasetSplits> {
  const images = (n: number) => encodeIdx([n, 28, 28], Uint8Array.from({ length: n * 784 }, (_, i) => ((i * 7919) % 251 > 180 ? 255 : 0)));
  const labels = (n: number) => encodeIdx([n], Uint8Array.from({ length: n }, (_, i) => 1 + (i % 26)));
  const files = { trainImages: images(104), trainLabels: labels(104), testImages: images(52), testLabels: labels(52) };
  return decodeSplits(files, 'emnist-letters', '', undefined, { names: idxFileNames({ ...MNIST_NAMES, prefix: 'emnist-letters-', test: 'test' }), transposed: true });
}

const view = { n: 3, ...axisPlane(2, 0, 1), base: [0, 0] };

/** A handler on the letters, started with `config` (or the model saved in `fromDir`), and its event log. */
async function started(config: VaeConfig, fromDir?: string) {
  const data = await letters();
  const events: WorkerEvent[] = [];
  const handler = new TrainingHandler({
    post: (e) => events.push(e),
    initBackend: async () => ({ name: 'cpu', label: 'cpu (test)' }),
    loadData: async (_url, _progress, onTestSplit) => {
      onTestSplit?.(data.test); // the test split first, as the app's loader hands it over
      return data;
    },
    loadModel: async () => loadModelFromDirectory(fromDir!),
    yieldToEvents: () => new Promise((r) => setImmediate(r)),
    timing: { metricsEvery: 1, weightsEveryMs: 0, latentsMinIntervalMs: 0, batchRows: 100, displayShare: 1 },
  });
  let id = 1;
  const send = async (req: RequestBody) => {
    const sent = id++;
    await handler.handle({ ...req, id: sent } as WorkerRequest);
    return sent;
  };
  const ofType = <T extends WorkerEvent['type']>(type: T) => events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);
  const models: ModelSource[] = fromDir ? [{ kind: 'url', url: 'vae.json', label: 'a CVAE for 10 classes' }] : [];
  await send({ type: 'init', dataUrl: '', backend: 'cpu', config, generation: 1, models, view });
  return { send, ofType };
}

describe('a conditional VAE on a dataset of more than ten classes', () => {
  it('is made for the 26 letters, trains a few steps without error or leaks, and ready names the classes', async () => {
    const config = makeConfig({ hidden: [16], latentDim: 2, batchSize: 26, conditional: true, seed: 3 }); // classes: 10, the default
    const w = await started(config);
    expect(w.ofType('ready').at(-1)!.classNames?.join('')).toBe('abcdefghijklmnopqrstuvwxyz');
    expect(w.ofType('model').at(-1)!.info).toMatchObject({ classes: 26, trainable: true, origin: 'fresh random weights' });
    await w.send({ type: 'step' }); // Adam makes its moments on the first step
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await w.send({ type: 'step' });
    await w.send({ type: 'decode-classes', z: [0.5, -0.5] });
    expect(w.ofType('error')).toEqual([]);
    expect(w.ofType('status').at(-1)!.status.step).toBe(4);
    expect(w.ofType('decoded-batch').at(-1)!.pixels).toHaveLength(26 * 784);
    expect(tf.memory().numTensors).toBe(before);

    await w.send({ type: 'reset', config, generation: 2 }); // the app's config still says 10 classes
    expect(w.ofType('model').at(-1)!.info).toMatchObject({ generation: 2, classes: 26 });
    await w.send({ type: 'step' });
    expect(w.ofType('error')).toEqual([]);
  });

  it('refuses in one sentence to train a conditional model made for 10 classes, and Reset makes one for 26', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cvae10-'));
    try {
      const config = makeConfig({ hidden: [16], latentDim: 2, batchSize: 26, conditional: true, seed: 4 });
      const vae = Vae.create(config);
      await saveVae(vae, directorySink(dir), { dataset: 'mnist', training: { epochs: 0 } });
      vae.dispose();
      const w = await started(config, dir);
      const info = w.ofType('model').at(-1)!.info;
      expect(info).toMatchObject({ classes: 10, trainable: false });
      expect(info.notTrainable).toBe('This conditional model was made for 10 classes but the dataset has 26, so it can be explored but not trained on it.');
      expect(w.ofType('latents').at(-1)).toMatchObject({ count: 52, latentDim: 2 }); // placed under no class where its 10 run out
      await w.send({ type: 'step' });
      expect(w.ofType('error').map((e) => e.message)).toEqual([info.notTrainable]);
      // Exploring still works: the class row decodes under its own 10 classes.
      await w.send({ type: 'decode-classes', z: [0, 0] });
      expect(w.ofType('decoded-batch').at(-1)!.pixels).toHaveLength(10 * 784);

      await w.send({ type: 'reset', config, generation: 2 });
      expect(w.ofType('model').at(-1)!.info).toMatchObject({ classes: 26, trainable: true });
      await w.send({ type: 'step' });
      expect(w.ofType('error')).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
