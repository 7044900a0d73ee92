import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveLoadedModel } from '../../src/core/io/files';
import { flatSink } from './support/flat-sink';
import { loadedCodec } from '../../src/core/io/foreign';
import { disposeLoaded, loadModelFromSource, loadModelFromUrl, memorySource } from '../../src/core/io/load';
import { kerasDecoder, kerasEncoder, serveFolder, writeKerasVae } from './weights-fixtures';

let root: string;
let server: Awaited<ReturnType<typeof serveFolder>>;
let encoder: tf.LayersModel;
let decoder: tf.LayersModel;

async function values(t: tf.Tensor): Promise<Float32Array> {
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vae-keras-'));
  encoder = kerasEncoder();
  decoder = kerasDecoder();
  await writeKerasVae(join(root, 'keras'), encoder, decoder);
  server = await serveFolder(root, { cors: true });
});

afterAll(async () => {
  encoder?.dispose();
  decoder?.dispose();
  await new Promise((done) => server?.close(done));
  if (root) await rm(root, { recursive: true, force: true });
});

describe('a Keras VAE converted with tensorflowjs_converter', () => {
  it('is written like a Keras export (Functional topology, Sampling layer, sigmoid decoder with image output)', async () => {
    const enc = JSON.parse(await readFile(join(root, 'keras', 'encoder', 'model.json'), 'utf8'));
    const dec = JSON.parse(await readFile(join(root, 'keras', 'decoder', 'model.json'), 'utf8'));
    expect(enc.modelTopology.class_name).toBe('Functional');
    expect(enc.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name)).toContain('Sampling');
    expect(enc.modelTopology.config.layers[0].config.batch_input_shape).toEqual([null, 28, 28, 1]);
    expect(dec.modelTopology.class_name).toBe('Functional');
    expect(dec.modelTopology.config.layers.at(-1).config.activation).toBe('sigmoid');
    expect(decoder.outputs[0].shape).toEqual([null, 28, 28, 1]);
  });

  it('loads from a URL and decodes exactly what its decoder computes', async () => {
    const before = tf.memory().numTensors;
    const loaded = await loadModelFromUrl(`${server.base}/keras/vae.json`);
    expect(loaded).toMatchObject({ latentDim: 2, decoderOutput: 'probabilities' });
    expect(loaded.encoder?.outputs).toHaveLength(2); // the Sampling output is pruned: the app uses the mean and log-variance only
    const codec = loadedCodec(loaded);
    expect(codec.inputDim).toBe(784);

    const z = tf.tensor2d([[0, 0], [1.5, -0.5], [-2, 2]]); // [3, 2]
    const want = await values(tf.tidy(() => tf.reshape(decoder.predict(z) as tf.Tensor, [3, 784]))); // the decoder's own sigmoid output, flattened
    const got = await values(tf.tidy(() => codec.decode(z))); // [3, 784], no second sigmoid
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(got.every((v) => v >= 0 && v <= 1)).toBe(true);

    // The encoder takes flat [B, 784] rows here: they are reshaped to [B, 28, 28, 1]; outputs 0 and 1 are used.
    const flat = tf.randomUniform([4, 784], 0, 1, 'float32', 11) as tf.Tensor2D;
    const [mean, logVar] = tf.tidy(() => (encoder.predict(tf.reshape(flat, [4, 28, 28, 1])) as tf.Tensor[]).slice(0, 2));
    const encoded = codec.encode!(flat);
    expect(Array.from(await values(encoded.mean))).toEqual(Array.from(await values(mean)));
    expect(Array.from(await values(encoded.logVar))).toEqual(Array.from(await values(logVar)));
    tf.dispose([z, flat]);
    disposeLoaded(loaded);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('saves as flat files and loads back from them, unchanged', async () => {
    const loaded = await loadModelFromUrl(`${server.base}/keras/vae.json`);
    const sink = flatSink('keras model');
    const manifest = await saveLoadedModel(loaded, sink);
    expect(sink.files.map((f) => f.name)).toEqual([
      'keras-model.vae.json',
      'keras-model.encoder.json',
      'keras-model.encoder.weights.bin',
      'keras-model.decoder.json',
      'keras-model.decoder.weights.bin',
    ]);
    expect(manifest).toMatchObject({ encoder: 'keras-model.encoder.json', decoder: 'keras-model.decoder.json', decoderOutput: 'probabilities' });
    const again = await loadModelFromSource(memorySource(new Map(sink.files.map((f) => [f.name, f.bytes]))), 'keras-model.vae.json');
    const z = tf.tensor2d([[0.3, -1.2]]);
    const [a, b] = [await values(tf.tidy(() => loadedCodec(loaded).decode(z))), await values(tf.tidy(() => loadedCodec(again).decode(z)))];
    expect(Array.from(b)).toEqual(Array.from(a));
    z.dispose();
    disposeLoaded(loaded);
    disposeLoaded(again);
  });

  it('loads its decoder model.json alone (decoder-only), guessing probabilities from the sigmoid', async () => {
    const loaded = await loadModelFromUrl(`${server.base}/keras/decoder/model.json`);
    expect(loaded).toMatchObject({ manifest: null, encoder: null, latentDim: 2, decoderOutput: 'probabilities' });
    const codec = loadedCodec(loaded);
    expect(codec.encode).toBeNull();
    const z = tf.tensor2d([[0.5, 0.5]]);
    const want = await values(tf.tidy(() => tf.reshape(decoder.predict(z) as tf.Tensor, [1, 784])));
    expect(Array.from(await values(tf.tidy(() => codec.decode(z))))).toEqual(Array.from(want));
    z.dispose();
    disposeLoaded(loaded);
  });
});
