/**
 * Loading and saving weights the way the app does it: through the worker's handler, over HTTP with
 * real fetch (or picked files), with the real validation. Every bad input must leave the previous
 * model loaded and decoding exactly as before, with no tensor left behind.
 */
import { cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import { directorySink } from '../../scripts/lib/weights-node';
import { sourceFromPicked } from '../../src/app/weights/picked-files';
import { openArchive } from '../../src/core/io/archive';
import { takeFirst, type DatasetSplits } from '../../src/core/data/dataset';
import { saveVae } from '../../src/core/io/save';
import { MlpDecoder } from '../../src/core/latent/mlp-decoder';
import { isNetworkSnapshot } from '../../src/core/latent/network-snapshot';
import { axisPlane } from '../../src/core/latent/plane';
import { makeConfig, type VaeConfig } from '../../src/core/model/config';
import { Vae } from '../../src/core/model/vae';
import type { RequestBody } from '../../src/worker/client';
import { TrainingHandler } from '../../src/worker/handler';
import type { ModelSource, WorkerEvent, WorkerRequest } from '../../src/worker/protocol';
import { kerasDecoder, kerasEncoder, serveFolder, writeKerasVae } from './weights-fixtures';

let small: DatasetSplits;
let root: string;
let server: Awaited<ReturnType<typeof serveFolder>>;
let keras: { encoder: tf.LayersModel; decoder: tf.LayersModel };
const config = (o: Partial<VaeConfig> = {}) => makeConfig({ hidden: [32], latentDim: 2, batchSize: 100, ...o });
const view = { n: 3, ...axisPlane(2, 0, 1), base: [0, 0] };
const url = (path: string) => `${server.base}/${path}`;

async function saveModel(name: string, c: VaeConfig): Promise<void> {
  const vae = Vae.create(c);
  await saveVae(vae, directorySink(join(root, name)), { dataset: 'mnist', training: { epochs: 3, testElbo: -160.5, testReconstruction: 150, testKl: 10.5 } });
  vae.dispose();
}

/** A copy of the good model, changed by `edit(folder)`; returns its manifest URL. */
async function damaged(name: string, edit: (dir: string) => Promise<void>, from = 'good'): Promise<string> {
  await cp(join(root, from), join(root, name), { recursive: true });
  await edit(join(root, name));
  return url(`${name}/vae.json`);
}

async function editJson(path: string, edit: (json: Record<string, unknown>) => void): Promise<void> {
  const json = JSON.parse(await readFile(path, 'utf8'));
  edit(json);
  await writeFile(path, JSON.stringify(json));
}

async function setFloat(path: string, offset: number, value: number): Promise<void> {
  const bytes = new Uint8Array(await readFile(path));
  new DataView(bytes.buffer, bytes.byteOffset).setFloat32(offset, value, true);
  await writeFile(path, bytes);
}

beforeAll(async () => {
  const mnist = await loadDatasetFromDir();
  small = { name: 'mnist', train: takeFirst(mnist.train, 500), test: takeFirst(mnist.test, 200) };
  root = await mkdtemp(join(tmpdir(), 'vae-worker-weights-'));
  await saveModel('good', config({ seed: 3 }));
  await saveModel('other', config({ seed: 4 }));
  await saveModel('three', config({ latentDim: 3, seed: 5 }));
  await saveModel('one', config({ latentDim: 1, seed: 6 }));
  keras = { encoder: kerasEncoder(), decoder: kerasDecoder() };
  await writeKerasVae(join(root, 'keras'), keras.encoder, keras.decoder);
  await writeFile(join(root, 'page.json'), '<!DOCTYPE html><html><body><h1>Sign in</h1></body></html>');
  await writeFile(join(root, 'text.json'), 'this is not json at all');
  server = await serveFolder(root, { cors: true });
});

afterAll(async () => {
  keras?.encoder.dispose();
  keras?.decoder.dispose();
  await new Promise((done) => server?.close(done));
  if (root) await rm(root, { recursive: true, force: true });
});

/** A handler on the small dataset, with an event log and helpers. */
async function started(models: ModelSource[] = [{ kind: 'url', url: url('good/vae.json') }]) {
  const events: WorkerEvent[] = [];
  const handler = new TrainingHandler({
    post: (e) => events.push(e),
    initBackend: async () => ({ name: 'wasm', label: 'wasm (test)' }),
    loadData: async (_url, _progress, onTest) => {
      onTest?.(small.test);
      return small;
    },
    yieldToEvents: () => new Promise((r) => setImmediate(r)),
    timing: { metricsEvery: 5, weightsEveryMs: 0, latentsMinIntervalMs: 0, batchRows: 100, displayShare: 1 },
  });
  let id = 1;
  let generation = 1;
  const send = async (req: RequestBody) => {
    const full = { ...req, id: id++ } as WorkerRequest;
    await handler.handle(full);
    return full.id;
  };
  const ofType = <T extends WorkerEvent['type']>(type: T) => events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);
  const replyTo = (reqId: number) => events.find((e) => 'id' in e && e.id === reqId && e.type !== 'load-progress');
  const load = async (source: ModelSource) => send({ type: 'load', source, config: config(), generation: ++generation });
  const decode = async (z: number[]) => {
    const reqId = await send({ type: 'decode', z });
    const reply = replyTo(reqId);
    if (reply?.type !== 'decoded') throw new Error(`no decoded reply: ${JSON.stringify(reply)}`);
    return reply;
  };
  await send({ type: 'init', dataUrl: '', backend: 'auto', config: config(), generation: 1, view, models });
  return { handler, events, send, ofType, replyTo, load, decode, reset: () => send({ type: 'reset', config: config(), generation: ++generation }) };
}

describe('loading a model in the worker', () => {
  it('opens with the first model that loads, before the dataset, and trains it further', async () => {
    const w = await started([{ kind: 'url', url: url('nowhere/vae.json') }, { kind: 'url', url: url('good/vae.json'), label: 'the bundled model' }]);
    expect(w.ofType('error')[0].message).toMatch(/nowhere\/vae\.json: the server answered 404 Not Found\. Opening the bundled model instead\./);
    const types = w.events.map((e) => e.type);
    expect(types.indexOf('model')).toBeLessThan(types.indexOf('ready'));
    expect(types.indexOf('manifold')).toBeLessThan(types.indexOf('ready'));
    expect(w.ofType('model')[0].info).toMatchObject({ origin: 'the bundled model', trainable: true, hasEncoder: true, decodeInWorker: false, latentDim: 2, hidden: [32], training: { epochs: 3, testElbo: -160.5 } });
    expect(w.ofType('latents')[0]).toMatchObject({ generation: 1, count: 200 });
    await w.send({ type: 'step' });
    expect(w.ofType('status').at(-1)!.status).toMatchObject({ generation: 1, step: 1 });
  });

  it('starts from fresh weights when no start model loads', async () => {
    const w = await started([{ kind: 'url', url: url('text.json') }]);
    expect(w.ofType('error')[0].message).toMatch(/text\.json is not a model manifest: it is not valid JSON\. Starting from fresh random weights instead\./);
    expect(w.ofType('model')[0].info).toMatchObject({ origin: 'fresh random weights', trainable: true, training: null });
  });

  it('replaces the model only when a load succeeds; a newer request overtakes a slower load', async () => {
    const w = await started();
    const id = await w.load({ kind: 'url', url: url('other/vae.json') });
    expect(w.replyTo(id)).toMatchObject({ type: 'model', id, info: { generation: 2, origin: url('other/vae.json'), url: url('other/vae.json') } });
    expect(w.ofType('load-progress').filter((p) => p.id === id).at(-1)?.fraction).toBe(1);
    const slow = w.load({ kind: 'url', url: url('good/vae.json') }); // generation 3, still fetching when the reset arrives
    await w.reset(); // generation 4
    const slowId = await slow;
    expect(w.replyTo(slowId)).toEqual({ type: 'done', id: slowId });
    expect(w.ofType('model').at(-1)!.info).toMatchObject({ generation: 4, origin: 'fresh random weights' });
  });

  it("answers a load and a reset with the new model's decoder weights, so the page never decodes with the replaced model's", async () => {
    const w = await started();
    const z = [0.4, -0.9];
    const pageDecodes = (reply: WorkerEvent | undefined) => {
      if (reply?.type !== 'model' || !reply.decoder || isNetworkSnapshot(reply.decoder)) throw new Error(`no MLP decoder weights in ${reply?.type}`);
      return Array.from(new MlpDecoder(reply.decoder).decode(z));
    };
    const before = pageDecodes(w.ofType('model').at(-1));
    const id = await w.load({ kind: 'url', url: url('other/vae.json') });
    const loaded = pageDecodes(w.replyTo(id));
    const worker = Array.from((await w.decode(z)).pixels);
    expect(Math.max(...loaded.map((p, i) => Math.abs(p - worker[i])))).toBeLessThan(1e-4); // the page's copy decodes as the worker's model
    expect(Math.max(...loaded.map((p, i) => Math.abs(p - before[i])))).toBeGreaterThan(0.01); // and not as the model it replaced
    await w.reset();
    const fresh = pageDecodes(w.ofType('model').at(-1));
    const freshWorker = Array.from((await w.decode(z)).pixels);
    expect(Math.max(...fresh.map((p, i) => Math.abs(p - freshWorker[i])))).toBeLessThan(1e-4);
  });

  it('loads a Keras VAE for exploring: decodes exactly what its decoder computes, encodes the test set, refuses to train', async () => {
    const w = await started();
    const id = await w.load({ kind: 'url', url: url('keras/vae.json') });
    const info = (w.replyTo(id) as Extract<WorkerEvent, { type: 'model' }>).info;
    expect(info).toMatchObject({ trainable: false, hasEncoder: true, decodeInWorker: true, latentDim: 2, hidden: null, dataset: 'mnist <b>keras</b>' });
    expect(info.notTrainable).toMatch(/not saved by this app/);
    const z = [0.7, -1.1];
    const want = tf.tidy(() => tf.reshape(keras.decoder.predict(tf.tensor2d([z])) as tf.Tensor, [-1]).dataSync());
    expect(Array.from((await w.decode(z)).pixels)).toEqual(Array.from(want));
    const latents = w.ofType('latents').at(-1)!;
    expect(latents).toMatchObject({ generation: 2, count: 200, latentDim: 2 });
    const means = tf.tidy(() => (keras.encoder.predict(tf.tensor4d(small.test.images.subarray(0, 784 * 100), [100, 28, 28, 1])) as tf.Tensor[])[0].dataSync());
    expect(Array.from(latents.means.subarray(0, 200))).toEqual(Array.from(means));
    expect(w.ofType('weights').filter((e) => e.generation === 2)).toHaveLength(0); // decoded in the worker, not on the main thread
    expect(w.replyTo(id)).not.toHaveProperty('decoder');
    const stepId = await w.send({ type: 'step' });
    expect(w.replyTo(stepId)).toMatchObject({ type: 'error', message: expect.stringMatching(/can be explored but not trained/) });
  });

  it('loads a decoder model.json alone: decoding works, no test-set codes', async () => {
    const w = await started();
    const id = await w.load({ kind: 'url', url: url('keras/decoder/model.json') });
    expect(w.replyTo(id)).toMatchObject({ type: 'model', info: { hasEncoder: false, trainable: false, training: null } });
    expect(w.ofType('latents').filter((e) => e.generation === 2)).toHaveLength(0);
    expect(w.ofType('manifold').at(-1)).toMatchObject({ generation: 2, n: 3 });
    expect((await w.decode([0, 0])).pixels).toHaveLength(784);
  });
});

describe('bad weights leave the current model loaded and working', () => {
  /** name -> how to make the bad input (a URL), and the plain sentence expected. */
  const cases: [string, () => Promise<string>, RegExp][] = [
    ['404', async () => url('nowhere/vae.json'), /nowhere\/vae\.json: the server answered 404 Not Found\./],
    ['unreachable server', async () => {
      const closed = await serveFolder(root);
      const port = (closed.address() as AddressInfo).port;
      await new Promise((done) => closed.close(done));
      return `http://127.0.0.1:${port}/good/vae.json`;
    }, /Could not reach .*; the server may be down or may not allow cross-origin requests\./],
    ['not JSON', async () => url('text.json'), /text\.json is not a model manifest: it is not valid JSON\./],
    ['an HTML page', async () => url('page.json'), /page\.json is an HTML page, not a model manifest \(a wrong address/],
    ['missing fields', () => damaged('missing', (d) => editJson(join(d, 'vae.json'), (j) => { delete j.latentDim; delete j.decoder; })), /is missing the fields latentDim, decoder\./],
    ['unknown format', () => damaged('format', (d) => editJson(join(d, 'vae.json'), (j) => { j.format = 'pytorch'; })), /has the unknown format "pytorch"/],
    ['newer version', () => damaged('version', (d) => editJson(join(d, 'vae.json'), (j) => { j.version = 7; })), /version 7 is newer than this app understands/],
    ['truncated shard', () => damaged('truncated', (d) => truncate(join(d, 'decoder', 'weights.bin'), 999)), /decoder's weights file weights\.bin is truncated: it holds 999 bytes/],
    ['broken download', () => damaged('broken', async () => undefined), /The download of .*weights\.bin broke off/],
    ['shape mismatch', () => damaged('shape', (d) => editJson(join(d, 'encoder', 'model.json'), (j) => {
      const specs = (j.weightsManifest as { weights: { name: string; shape: number[] }[] }[])[0].weights;
      specs.find((s) => s.name === 'z_mean/kernel')!.shape = [16, 2];
    })), /encoder's weight z_mean\/kernel has shape \[16, 2\] in model\.json but its layer needs \[32, 2\]/],
    ['encoder and decoder latent sizes differ', () => damaged('mixed', async (d) => {
      await rm(join(d, 'decoder'), { recursive: true });
      await cp(join(root, 'three', 'decoder'), join(d, 'decoder'), { recursive: true });
    }), /The encoder's latent size is 2 but the decoder expects 3\./],
    ['manifest latent size differs', () => damaged('manifest-z', (d) => editJson(join(d, 'vae.json'), (j) => { j.latentDim = 5; delete j.config; })), /The manifest says the latent size is 5 but the models use 2\./],
    ['NaN weights', () => damaged('nan', (d) => setFloat(join(d, 'decoder', 'weights.bin'), 8, NaN)), /The decoder's weights in .*decoder\/model\.json contain NaN values/],
    ['infinite weights', () => damaged('inf', (d) => setFloat(join(d, 'encoder', 'weights.bin'), 8, -Infinity)), /The encoder's weights in .*encoder\/model\.json contain infinite values/],
    ['a file over 200 MB', () => damaged('over', (d) => editJson(join(d, 'decoder', 'model.json'), (j) => {
      (j.weightsManifest as { paths: string[] }[])[0].paths = ['../../huge/weights.bin'];
    })), /huge\/weights\.bin is 250\.0 MB, more than the 200\.0 MB this app accepts\./],
    ['a 1-D latent space', async () => url('one/vae.json'), /1-dimensional latent space; the app shows 2 to 64 dimensions/],
  ];

  it.each(cases)('%s', async (_name, make, message) => {
    const badUrl = await make();
    const w = await started();
    await w.send({ type: 'step' });
    const z = [0.25, -0.75];
    const before = await w.decode(z);
    const tensors = tf.memory().numTensors;
    const models = w.ofType('model').length;
    const id = await w.load({ kind: 'url', url: badUrl });
    expect(w.replyTo(id)).toMatchObject({ type: 'error', message: expect.stringMatching(message) });
    expect(w.ofType('model')).toHaveLength(models);
    expect(tf.memory().numTensors).toBe(tensors);
    const after = await w.decode(z);
    expect(after.generation).toBe(before.generation);
    expect(Array.from(after.pixels)).toEqual(Array.from(before.pixels));
    await w.send({ type: 'step' }); // still trains
    expect(w.ofType('status').at(-1)!.status).toMatchObject({ generation: 1, step: 2 });
  });

  it('a cross-origin request the server does not allow (the browser rejects the fetch)', async () => {
    const w = await started();
    const before = await w.decode([1, 1]);
    const realFetch = globalThis.fetch;
    globalThis.fetch = async () => {
      throw new TypeError('Failed to fetch'); // what a browser's fetch does on a CORS refusal
    };
    try {
      const id = await w.load({ kind: 'url', url: 'https://elsewhere.example/vae.json' });
      expect(w.replyTo(id)).toMatchObject({ type: 'error', message: expect.stringMatching(/Could not reach https:\/\/elsewhere\.example\/vae\.json; the server may be down or may not allow cross-origin requests/) });
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(Array.from((await w.decode([1, 1])).pixels)).toEqual(Array.from(before.pixels));
  });
});

describe('saving', () => {
  /** Picked files as a browser gives them; `rename` plays a download that got " (1)" added. */
  const picked = (files: { name: string; bytes: Uint8Array }[], rename = false) =>
    files.map((f) => ({
      name: rename ? f.name.replace(/(\.[a-z]+)$/, ' (1)$1') : f.name,
      size: f.bytes.byteLength,
      arrayBuffer: async () => f.bytes.slice().buffer,
    }));

  it('round-trips a model trained further here through the one .zip a download writes', async () => {
    const w = await started();
    for (let i = 0; i < 3; i++) await w.send({ type: 'step' });
    const z = [-0.4, 1.3];
    const before = await w.decode(z);
    const id = await w.send({ type: 'save', name: 'my model/2d' });
    const saved = w.replyTo(id) as Extract<WorkerEvent, { type: 'saved' }>;
    expect(saved.files.map((f) => f.name)).toEqual(['my-model-2d.zip']);
    const opened = openArchive(saved.files[0].bytes, 'my-model-2d.zip', 1e9);
    expect([...opened.files.keys()]).toEqual(['vae.json', 'encoder/model.json', 'encoder/weights.bin', 'decoder/model.json', 'decoder/weights.bin']);
    const manifest = JSON.parse(new TextDecoder().decode(opened.files.get('vae.json')));
    expect(manifest).toMatchObject({ format: 'vae-playground', encoder: 'encoder/model.json', training: { epochs: 3, steps: 3, backend: 'tfjs-wasm' }, config: { hidden: [32], latentDim: 2 } });
    expect(manifest.training.testElbo).toBeLessThan(0);

    for (const rename of [false, true]) {
      const loadId = await w.load(await sourceFromPicked(picked(saved.files, rename)));
      expect(w.replyTo(loadId)).toMatchObject({ type: 'model', info: { trainable: true, training: { steps: 3 } } });
      expect(Array.from((await w.decode(z)).pixels)).toEqual(Array.from(before.pixels));
    }
  });

  it('keeps a model trained here that a load replaces, unless a save already holds its last step', async () => {
    const w = await started();
    const keepingLoad = async (source: ModelSource) => {
      const id = await w.send({ type: 'load', source, config: config(), generation: w.ofType('model').at(-1)!.info.generation + 1, keepAs: 'mnist-2d' });
      return w.replyTo(id) as Extract<WorkerEvent, { type: 'model' }>;
    };
    expect((await keepingLoad({ kind: 'url', url: url('other/vae.json') })).kept).toBeUndefined(); // nothing trained here

    for (let i = 0; i < 3; i++) await w.send({ type: 'step' });
    const z = [0.7, -1.1];
    const trained = await w.decode(z);
    const reply = await keepingLoad({ kind: 'url', url: url('good/vae.json') });
    expect(reply.info.origin).toBe(url('good/vae.json'));
    expect(reply.kept).toMatchObject({ steps: 3, latentDim: 2 });
    expect(reply.kept!.files.map((f) => f.name)).toEqual(['mnist-2d-step3.zip']);
    const tensorsAfterKeeping = tf.memory().numTensors;

    const back = await keepingLoad(await sourceFromPicked(picked(reply.kept!.files)));
    expect(back.kept).toBeUndefined(); // 'good' was not trained here
    expect(back.info).toMatchObject({ trainable: true, training: { steps: 3, epochs: 3 } });
    expect(Array.from((await w.decode(z)).pixels)).toEqual(Array.from(trained.pixels));
    expect(tf.memory().numTensors).toBe(tensorsAfterKeeping); // keeping it held on to no tensor

    for (let i = 0; i < 2; i++) await w.send({ type: 'step' });
    const again = await keepingLoad({ kind: 'url', url: url('other/vae.json') });
    expect(again.kept).toMatchObject({ steps: 2 }); // the steps trained here
    expect(again.kept!.files.map((f) => f.name)).toEqual(['mnist-2d-step5.zip']); // named by its steps from the first: 3 in its file, 2 here

    await w.send({ type: 'step' });
    await w.send({ type: 'save', name: 'mine' });
    expect((await keepingLoad({ kind: 'url', url: url('other/vae.json') })).kept).toBeUndefined(); // the save holds step 1
  });

  it('refuses a load in one sentence when the model trained here cannot be kept: that model stays, with its steps', async () => {
    const w = await started();
    for (let i = 0; i < 4; i++) await w.send({ type: 'step' });
    const z = [0.3, 0.8];
    const trained = Array.from((await w.decode(z)).pixels);
    const tensors = tf.memory().numTensors;
    (w.handler as unknown as { test: null }).test = null; // keeping it measures the test ELBO: here there is no test set to measure on
    const generation = w.ofType('model').at(-1)!.info.generation;
    const id = await w.send({ type: 'load', source: { kind: 'url', url: url('other/vae.json') }, config: config(), generation: generation + 1, keepAs: 'mnist-2d' });
    expect(w.replyTo(id)).toMatchObject({
      type: 'error',
      message: 'The model trained here (4 steps) stays open, since it could not be kept before opening another: the test set is still loading; save again in a moment (the saved file records the test loss).',
    });
    expect(w.ofType('model').at(-1)!.info.generation).toBe(generation);
    expect(Array.from((await w.decode(z)).pixels)).toEqual(trained);
    expect(tf.memory().numTensors).toBe(tensors); // the model it would have opened is freed
    await w.send({ type: 'step' });
    expect(w.ofType('status').at(-1)!.status).toMatchObject({ generation, step: 5 });
  });

  it('round-trips a Keras model and a decoder alone as they were loaded', async () => {
    const w = await started();
    for (const path of ['keras/vae.json', 'keras/decoder/model.json']) {
      await w.load({ kind: 'url', url: url(path) });
      const before = await w.decode([0.1, 0.2]);
      const id = await w.send({ type: 'save', name: 'k' });
      const saved = w.replyTo(id) as Extract<WorkerEvent, { type: 'saved' }>;
      expect(saved.files.map((f) => f.name)).toEqual(['k.zip']);
      expect(openArchive(saved.files[0].bytes, 'k.zip', 1e9).files.size).toBe(path.endsWith('vae.json') ? 5 : 2);
      await w.load(await sourceFromPicked(picked(saved.files)));
      expect(Array.from((await w.decode([0.1, 0.2])).pixels)).toEqual(Array.from(before.pixels));
    }
  });
});
