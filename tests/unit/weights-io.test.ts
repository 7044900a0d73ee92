import { cp, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeLoaded, loadModelFromSource, loadModelFromUrl, memorySource, type LoadedModel } from '../../src/core/io/load';
import { WeightsError } from '../../src/core/io/manifest';
import { saveVae } from '../../src/core/io/save';
import { vaeFromLoaded } from '../../src/core/io/to-vae';
import { makeConfig } from '../../src/core/model/config';
import { Sampling } from '../../src/core/model/sampling-layer';
import { Vae } from '../../src/core/model/vae';
import { directorySink, loadModelFromDirectory } from '../../scripts/lib/weights-node';

const TRAINING = { epochs: 3, testElbo: -160.5 };
let root: string;
let server: Server;
let base: string;
let vae: Vae;

async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0];
  d.dispose();
  return v;
}

/** Copies the saved latent-2 model to a new folder to be damaged; returns the folder's name. */
async function copyOfA(name: string): Promise<string> {
  await cp(join(root, 'a'), join(root, name), { recursive: true });
  return name;
}

async function editJson(path: string, edit: (json: Record<string, unknown>) => void): Promise<void> {
  const json = JSON.parse(await readFile(path, 'utf8'));
  edit(json);
  await writeFile(path, JSON.stringify(json));
}

/** Expects a WeightsError whose message matches, and that no tensor was left behind. */
async function expectFailure(load: () => Promise<LoadedModel>, message: RegExp): Promise<string> {
  const before = tf.memory().numTensors;
  const err = await load().then(
    (loaded) => {
      disposeLoaded(loaded);
      return new Error('expected the load to fail');
    },
    (e: unknown) => e as Error,
  );
  expect(err).toBeInstanceOf(WeightsError);
  expect(err.message).toMatch(message);
  expect(tf.memory().numTensors).toBe(before);
  return err.message;
}

function serve(dir: string): Promise<Server> {
  const s = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    try {
      const data = await readFile(join(dir, path));
      const type = path.endsWith('.json') && !path.includes('page') ? 'application/json' : path.includes('page') ? 'text/html' : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type, 'content-length': data.length });
      if (path.includes('broken') && path.endsWith('.bin')) {
        res.write(data.subarray(0, data.length >> 1));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.end(data);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((done) => s.listen(0, '127.0.0.1', () => done(s)));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vae-weights-'));
  vae = Vae.create(makeConfig({ hidden: [32], latentDim: 2, seed: 7 }));
  await saveVae(vae, directorySink(join(root, 'a')), { dataset: 'mnist', training: TRAINING });
  const other = Vae.create(makeConfig({ hidden: [32], latentDim: 3, seed: 8 }));
  await saveVae(other, directorySink(join(root, 'b')), { dataset: 'mnist', training: TRAINING });
  other.dispose();
  await writeFile(join(root, 'page.json'), '<!doctype html>\n<html><body>Welcome</body></html>');
  await writeFile(join(root, 'text.json'), 'hello, this is not json');
  server = await serve(root);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  vae?.dispose();
  await new Promise((done) => server?.close(done));
  if (root) await rm(root, { recursive: true, force: true });
});

async function expectSameAsVae(loaded: LoadedModel): Promise<void> {
  expect(loaded.latentDim).toBe(2);
  expect(loaded.decoderOutput).toBe('logits');
  const z = tf.randomNormal([5, 2], 0, 1, 'float32', 3);
  const x = tf.randomUniform([5, 784], 0, 1, 'float32', 4);
  const [want, got] = [vae.decoder.predict(z) as tf.Tensor, loaded.decoder.predict(z) as tf.Tensor];
  expect(await maxAbsDiff(want, got)).toBe(0);
  const wantEnc = vae.encoder.predict(x) as tf.Tensor[];
  const gotEnc = loaded.encoder?.predict(x) as tf.Tensor[];
  expect(gotEnc).toHaveLength(2);
  expect(await maxAbsDiff(wantEnc[0], gotEnc[0])).toBe(0);
  expect(await maxAbsDiff(wantEnc[1], gotEnc[1])).toBe(0);
  tf.dispose([z, x, want, got, ...wantEnc, ...gotEnc]);
}

describe('saving and loading the weights format', () => {
  it('round-trips through a folder on disk', async () => {
    const before = tf.memory().numTensors;
    const loaded = await loadModelFromDirectory(join(root, 'a'));
    expect(loaded.manifest).toMatchObject({ format: 'vae-playground', latentDim: 2, training: TRAINING, config: vae.config });
    await expectSameAsVae(loaded);
    const again = vaeFromLoaded(loaded);
    const x = tf.randomUniform([3, 784], 0, 1, 'float32', 5) as tf.Tensor2D;
    const [a, b] = tf.tidy(() => [vae.encode(x).mean, again.encode(x).mean]); // [3, 2] each
    expect(await maxAbsDiff(a, b)).toBe(0);
    tf.dispose([x, a, b]);
    disposeLoaded(loaded);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('round-trips through a local HTTP server, reporting progress', async () => {
    const fractions: number[] = [];
    const loaded = await loadModelFromUrl(`${base}/a/vae.json`, { onProgress: (f) => fractions.push(f) });
    await expectSameAsVae(loaded);
    expect(fractions[0]).toBe(0);
    expect(fractions[fractions.length - 1]).toBe(1);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1])).toBe(true);
    disposeLoaded(loaded);
  });

  it('downloads every file before `buildAfter` settles, and builds only after it', async () => {
    let fetched = 0;
    const countingFetch: typeof fetch = (input, init) => {
      fetched++;
      return fetch(input, init);
    };
    let backendUp!: () => void;
    const buildAfter = new Promise<void>((resolve) => (backendUp = resolve));
    let built = false;
    const loading = loadModelFromUrl(`${base}/a/vae.json`, { fetchImpl: countingFetch, buildAfter }).then((m) => {
      built = true;
      return m;
    });
    for (let i = 0; i < 200 && fetched < 5; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    expect(fetched).toBe(5); // manifest, two model.json files, two weight shards
    expect(built).toBe(false);
    backendUp();
    const loaded = await loading;
    await expectSameAsVae(loaded);
    disposeLoaded(loaded);
  });

  it('loads from files held in memory (e.g. picked by the person)', async () => {
    const names = ['vae.json', 'encoder/model.json', 'encoder/weights.bin', 'decoder/model.json', 'decoder/weights.bin'];
    const files = new Map(await Promise.all(names.map(async (n) => [n, new Uint8Array(await readFile(join(root, 'a', n)))] as const)));
    const loaded = await loadModelFromSource(memorySource(files), 'vae.json');
    await expectSameAsVae(loaded);
    disposeLoaded(loaded);
    files.delete('decoder/weights.bin');
    await expectFailure(() => loadModelFromSource(memorySource(files), 'vae.json'), /The file decoder\/weights\.bin is missing from the chosen files\./);
  });

  it('loads a decoder model.json alone, without encoder or manifest', async () => {
    const loaded = await loadModelFromUrl(`${base}/a/decoder/model.json`);
    expect(loaded.manifest).toBeNull();
    expect(loaded.encoder).toBeNull();
    expect(loaded.latentDim).toBe(2);
    expect(loaded.decoderOutput).toBe('logits');
    const z = tf.zeros([1, 2]);
    const [want, got] = [vae.decoder.predict(z) as tf.Tensor, loaded.decoder.predict(z) as tf.Tensor];
    expect(await maxAbsDiff(want, got)).toBe(0);
    tf.dispose([z, want, got]);
    disposeLoaded(loaded);
  });

  it('loads a Keras-style encoder with a Sampling layer, three outputs and image-shaped input', async () => {
    const input = tf.input({ shape: [28, 28, 1], name: 'encoder_input' });
    const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    const h = tf.layers.dense({ units: 16, activation: 'relu', name: 'dense' }).apply(flat) as tf.SymbolicTensor;
    const mean = tf.layers.dense({ units: 2, name: 'z_mean' }).apply(h) as tf.SymbolicTensor;
    const logVar = tf.layers.dense({ units: 2, name: 'z_log_var' }).apply(h) as tf.SymbolicTensor;
    const z = new Sampling({ name: 'z' }).apply([mean, logVar]) as tf.SymbolicTensor;
    const keras = tf.model({ inputs: input, outputs: [mean, logVar, z], name: 'encoder' });
    const sink = directorySink(join(root, 'keras'));
    await keras.save(sink.handlerFor('encoder'));
    await vae.decoder.save(sink.handlerFor('decoder'));
    const manifest = JSON.parse(await readFile(join(root, 'a', 'vae.json'), 'utf8'));
    delete manifest.config;
    await sink.writeManifest(JSON.stringify({ ...manifest, decoderOutput: 'logits' }));
    expect(await readFile(join(root, 'keras', 'encoder', 'model.json'), 'utf8')).toContain('"class_name":"Sampling"');

    for (const loaded of [await loadModelFromUrl(`${base}/keras/vae.json`), await loadModelFromDirectory(join(root, 'keras'))]) {
      expect(loaded.encoder?.outputs).toHaveLength(2); // the sampled z is pruned before building: the app never uses it
      expect(() => vaeFromLoaded(loaded)).toThrow(WeightsError);
      const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 6);
      const want = keras.predict(x) as tf.Tensor[];
      const got = loaded.encoder?.predict(x) as tf.Tensor[];
      expect(got[0].shape).toEqual([4, 2]);
      expect(await maxAbsDiff(want[0], got[0])).toBe(0);
      expect(await maxAbsDiff(want[1], got[1])).toBe(0);
      tf.dispose([x, ...want, ...got]);
      disposeLoaded(loaded);
    }
    keras.dispose();

    // A topology that fails half-way through building (after the dense layers made their weights) leaks nothing.
    await cp(join(root, 'keras'), join(root, 'keras-bad'), { recursive: true });
    await editJson(join(root, 'keras-bad', 'encoder', 'model.json'), (j) => {
      const layers = (j.modelTopology as { config: { layers: { name: string; class_name: string; config: unknown }[] } }).config.layers;
      const logVar = layers.find((l) => l.name === 'z_log_var');
      if (!logVar) throw new Error('no z_log_var layer in the saved encoder');
      logVar.class_name = 'Conv2D'; // on the way to an output the app uses: a convolution cannot take the flat [B, 16]
      logVar.config = { name: 'z_log_var', filters: 2, kernel_size: [3, 3] };
    });
    await expectFailure(() => loadModelFromDirectory(join(root, 'keras-bad')), /keras-bad\/encoder\/model\.json: tfjs-layers cannot connect the encoder's layers as this export describes them \(it says: /);
  });
});

describe('loading failures are plain and leave no tensors behind', () => {
  it('HTTP errors, unreachable servers and pages that are not manifests', async () => {
    await expectFailure(() => loadModelFromUrl(`${base}/nowhere/vae.json`), /vae\.json: the server answered 404 Not Found\.$/);
    await expectFailure(() => loadModelFromUrl(`${base}/text.json`), /text\.json is not a model manifest: it is not valid JSON/);
    await expectFailure(() => loadModelFromUrl(`${base}/page.json`), /page\.json is an HTML page, not a model manifest/);
    const closed = await serve(root);
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    await expectFailure(() => loadModelFromUrl(`http://127.0.0.1:${port}/a/vae.json`), /Could not reach .*; the server may be down or may not allow cross-origin requests/);
    await expectFailure(() => loadModelFromDirectory(join(root, 'nothing-here')), /Could not find/);
  });

  it('manifests with missing fields, an unknown format or a newer version', async () => {
    const dir = await copyOfA('manifests');
    const manifest = join(root, dir, 'vae.json');
    const original = await readFile(manifest, 'utf8');
    const cases: [(j: Record<string, unknown>) => void, RegExp][] = [
      [(j) => { delete j.latentDim; delete j.decoderOutput; delete j.training; }, /is missing the fields latentDim, decoderOutput\.$/],
      [(j) => { j.format = 'something-else'; }, /has the unknown format "something-else"/],
      [(j) => { j.version = 2; }, /version 2 is newer than this app understands \(1\)/],
      [(j) => { j.latentDim = 3; }, /config: its latentDim 2 differs from the manifest's 3/],
      [(j) => { delete j.config; j.latentDim = 3; }, /The manifest says the latent size is 3 but the models use 2/],
      [(j) => { j.encoder = 'missing/model.json'; }, /missing\/model\.json: the server answered 404/],
    ];
    for (const [edit, message] of cases) {
      await writeFile(manifest, original);
      await editJson(manifest, edit);
      await expectFailure(() => loadModelFromUrl(`${base}/${dir}/vae.json`), message);
    }
  });

  it('truncated, missing or broken weight files', async () => {
    const dir = await copyOfA('truncated');
    await truncate(join(root, dir, 'decoder', 'weights.bin'), 1000);
    await expectFailure(() => loadModelFromUrl(`${base}/${dir}/vae.json`), /The decoder's weights file weights\.bin is truncated: it holds 1000 bytes but model\.json describes/);
    await expectFailure(() => loadModelFromDirectory(join(root, dir)), /truncated/);
    const short = await copyOfA('short');
    const size = (await stat(join(root, short, 'decoder', 'weights.bin'))).size;
    await truncate(join(root, short, 'decoder', 'weights.bin'), size - 3); // rounded, both sizes would read the same
    await expectFailure(() => loadModelFromUrl(`${base}/${short}/vae.json`), new RegExp(`is truncated: it holds ${(size - 3).toLocaleString('en-US')} bytes but model\\.json describes ${size.toLocaleString('en-US')} bytes\\.`));
    const broken = await copyOfA('broken');
    await expectFailure(() => loadModelFromUrl(`${base}/${broken}/vae.json`), /The download of .*weights\.bin broke off/);
    const gone = await copyOfA('gone');
    await rm(join(root, gone, 'encoder', 'weights.bin'));
    await expectFailure(() => loadModelFromUrl(`${base}/${gone}/vae.json`), /encoder\/weights\.bin: the server answered 404 Not Found/);
  });

  it('files over the size limit', async () => {
    await expectFailure(() => loadModelFromUrl(`${base}/a/vae.json`, { maxBytes: 10_000 }), /weights\.bin is .* more than the 9\.8 kB this app accepts/);
    await expectFailure(() => loadModelFromDirectory(join(root, 'a'), { maxBytes: 10_000 }), /more than the 9\.8 kB/);
  });

  it('weight shapes that do not match the topology', async () => {
    for (const [name, shape] of [['smaller', [2, 31]], ['larger', [3, 32]]] as const) {
      const dir = await copyOfA(`shape-${name}`);
      await editJson(join(root, dir, 'decoder', 'model.json'), (j) => {
        const specs = (j.weightsManifest as { weights: { name: string; shape: number[] }[] }[])[0].weights;
        const kernel = specs.find((s) => s.name === 'decoder_dense_1/kernel');
        if (!kernel) throw new Error('no decoder_dense_1/kernel in the saved model');
        kernel.shape = [...shape];
      });
      await expectFailure(
        () => loadModelFromUrl(`${base}/${dir}/vae.json`),
        new RegExp(`decoder's weight decoder_dense_1/kernel has shape \\[${shape.join(', ')}\\] in model.json but its layer needs \\[2, 32\\]`),
      );
    }
  });

  it('latent sizes that disagree between encoder and decoder', async () => {
    const dir = await copyOfA('mixed');
    await rm(join(root, dir, 'decoder'), { recursive: true });
    await cp(join(root, 'b', 'decoder'), join(root, dir, 'decoder'), { recursive: true });
    await expectFailure(() => loadModelFromUrl(`${base}/${dir}/vae.json`), /The encoder's latent size is 2 but the decoder expects 3\./);
  });

  it('NaN or infinite weights', async () => {
    for (const [part, value, word] of [['decoder', NaN, 'NaN'], ['encoder', Infinity, 'infinite']] as const) {
      const dir = await copyOfA(`bad-${part}`);
      const file = join(root, dir, part, 'weights.bin');
      const bytes = new Uint8Array(await readFile(file));
      new DataView(bytes.buffer, bytes.byteOffset).setFloat32(40, value, true);
      await writeFile(file, bytes);
      await expectFailure(() => loadModelFromDirectory(join(root, dir)), new RegExp(`The ${part}'s weights in .*${part}/model\\.json contain ${word} values \\(in ${part}_dense_1/kernel\\)`));
    }
  });

  it('unknown layer types and model.json files that are not layers models', async () => {
    const dir = await copyOfA('unknown-layer');
    await editJson(join(root, dir, 'encoder', 'model.json'), (j) => {
      const layers = (j.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers;
      layers[1].class_name = 'FancyDense';
    });
    await expectFailure(() => loadModelFromDirectory(join(root, dir)), /The encoder uses the layer type FancyDense, which this app does not know\./);
    await editJson(join(root, dir, 'encoder', 'model.json'), (j) => { delete j.modelTopology; });
    await expectFailure(() => loadModelFromDirectory(join(root, dir)), /encoder\/model\.json is not a tfjs model\.json: it has no modelTopology/);
  });
});
