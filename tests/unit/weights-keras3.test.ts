/**
 * Keras 3 exports (issue 13.1): the keras.io convolutional VAE and a Sequential decoder, written in the
 * layout tensorflowjs_converter 4.22 writes for a Keras 3 model (batch_shape, DTypePolicy objects,
 * module/registered_name/build_config, {args, kwargs} inbound nodes, weights prefixed with the model's
 * name), load and decode exactly what the plain models compute; Keras 3 files tfjs cannot build are
 * refused in one sentence naming the file and the layer.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadedCodec } from '../../src/core/io/foreign';
import { disposeLoaded, loadModelFromUrl } from '../../src/core/io/load';
import { WeightsError } from '../../src/core/io/manifest';
import { Sampling } from '../../src/core/model/sampling-layer';
import { serveFolder } from './weights-fixtures';
import { asKeras3, saveModel, writeManifest, writeSaved } from './weights-interop-fixtures';

let root: string;
let server: Awaited<ReturnType<typeof serveFolder>>;
let encoder: tf.LayersModel;
let decoder: tf.LayersModel;
let sequential: tf.LayersModel;

/** The keras.io example's encoder, small: Conv2D, Flatten, Dense, z_mean, z_log_var, Sampling. */
function convEncoder(): tf.LayersModel {
  const x = tf.input({ shape: [28, 28, 1], name: 'input_layer' });
  let h = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'conv2d' }).apply(x) as tf.SymbolicTensor;
  h = tf.layers.flatten({ name: 'flatten' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: 16, activation: 'relu', name: 'dense' }).apply(h) as tf.SymbolicTensor;
  const mean = tf.layers.dense({ units: 2, name: 'z_mean' }).apply(h) as tf.SymbolicTensor;
  const logVar = tf.layers.dense({ units: 2, name: 'z_log_var' }).apply(h) as tf.SymbolicTensor;
  const z = new Sampling({ name: 'sampling' }).apply([mean, logVar]) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: [mean, logVar, z], name: 'encoder' });
}

/** Its decoder: Dense, Reshape, Conv2DTranspose x2, sigmoid [null, 28, 28, 1]. */
function convDecoder(): tf.LayersModel {
  const z = tf.input({ shape: [2], name: 'input_layer_1' });
  let h = tf.layers.dense({ units: 7 * 7 * 4, activation: 'relu', name: 'dense_1' }).apply(z) as tf.SymbolicTensor;
  h = tf.layers.reshape({ targetShape: [7, 7, 4], name: 'reshape' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 4, padding: 'same', activation: 'relu', name: 'conv2d_transpose' }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid', name: 'conv2d_transpose_1' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: z, outputs: out, name: 'decoder' });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vae-keras3-'));
  encoder = convEncoder();
  decoder = convDecoder();
  sequential = tf.sequential({ name: 'seq_decoder', layers: [tf.layers.dense({ inputShape: [2], units: 32, activation: 'relu', name: 'hidden' }), tf.layers.dense({ units: 784, activation: 'sigmoid', name: 'pixels' })] });
  await writeSaved(join(root, 'conv'), 'encoder', asKeras3(await saveModel(encoder), 'encoder'));
  await writeSaved(join(root, 'conv'), 'decoder', asKeras3(await saveModel(decoder), 'decoder'));
  await writeManifest(join(root, 'conv'), 2, 'probabilities');
  await writeSaved(join(root, 'seq'), 'decoder', asKeras3(await saveModel(sequential), 'seq_decoder'));
  server = await serveFolder(root, { cors: true });
});

afterAll(async () => {
  for (const m of [encoder, decoder, sequential]) m?.dispose();
  await new Promise((done) => server?.close(done));
  if (root) await rm(root, { recursive: true, force: true });
});

async function values(t: tf.Tensor): Promise<number[]> {
  const v = Array.from((await t.data()) as Float32Array);
  t.dispose();
  return v;
}

describe('a Keras 3 export', () => {
  it('is written in the layout the converter writes for Keras 3', async () => {
    const json = JSON.parse(await readFile(join(root, 'conv', 'encoder', 'model.json'), 'utf8'));
    const layers = json.modelTopology.model_config.config.layers;
    expect(json.modelTopology.keras_version).toBe('3.6.0');
    expect(layers[0].config.batch_shape).toEqual([null, 28, 28, 1]);
    expect(layers[0].config.batch_input_shape).toBeUndefined();
    expect(layers[1].config.dtype.class_name).toBe('DTypePolicy');
    expect(layers[1]).toHaveProperty('build_config');
    expect(layers[1].inbound_nodes[0].args[0].class_name).toBe('__keras_tensor__');
    expect(layers.at(-1).inbound_nodes[0].args[0]).toHaveLength(2); // Sampling takes [z_mean, z_log_var]
    expect(json.weightsManifest[0].weights[0].name).toBe('encoder/conv2d/kernel');
  });

  it('loads and decodes and encodes exactly what the plain models compute, leaving no tensor behind', async () => {
    const before = tf.memory().numTensors;
    const loaded = await loadModelFromUrl(`${server.base}/conv/vae.json`);
    expect(loaded).toMatchObject({ latentDim: 2, decoderOutput: 'probabilities', hasLogVar: true });
    expect(loaded.manifest?.training).toBeUndefined();
    const codec = loadedCodec(loaded);
    const z = tf.tensor2d([[0, 0], [1.2, -0.7], [-2, 1.5]]);
    const want = await values(tf.tidy(() => tf.reshape(decoder.predict(z) as tf.Tensor, [3, 784])));
    expect(await values(codec.decode(z))).toEqual(want);
    const x = tf.randomUniform([3, 784], 0, 1, 'float32', 3) as tf.Tensor2D;
    const [mean, logVar] = tf.tidy(() => (encoder.predict(tf.reshape(x, [3, 28, 28, 1])) as tf.Tensor[]).slice(0, 2));
    const got = codec.encode!(x);
    expect(await values(got.mean)).toEqual(await values(mean));
    expect(await values(got.logVar)).toEqual(await values(logVar));
    tf.dispose([z, x]);
    disposeLoaded(loaded);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a Keras 3 Sequential decoder model.json alone loads, its sigmoid read as probabilities', async () => {
    const loaded = await loadModelFromUrl(`${server.base}/seq/decoder/model.json`);
    expect(loaded).toMatchObject({ manifest: null, encoder: null, latentDim: 2, decoderOutput: 'probabilities' });
    const z = tf.tensor2d([[0.4, -0.3]]);
    expect(await values(loadedCodec(loaded).decode(z))).toEqual(await values(sequential.predict(z) as tf.Tensor));
    z.dispose();
    disposeLoaded(loaded);
  });

  it('a layer tfjs cannot build is named with the file, in a sentence of our own', async () => {
    const json = JSON.parse(await readFile(join(root, 'conv', 'decoder', 'model.json'), 'utf8'));
    json.modelTopology.model_config.config.layers[3].config.padding = 'sideways'; // conv2d_transpose
    await writeSaved(join(root, 'bad'), 'decoder', { json, weights: new Uint8Array(await readFile(join(root, 'conv', 'decoder', 'group1-shard1of1.bin'))) });
    const variables = Object.keys(tf.engine().registeredVariables).length;
    const err = await loadModelFromUrl(`${server.base}/bad/decoder/model.json`).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(WeightsError);
    expect((err as Error).message).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/bad\/decoder\/model\.json: tfjs-layers cannot build the decoder's layer "conv2d_transpose" \(Conv2DTranspose\) from this Keras 3 export \(it says: /);
    expect(Object.keys(tf.engine().registeredVariables)).toHaveLength(variables);
  });

  it('a tensor passed as a keyword argument, which tfjs cannot pass, is refused naming the layer', async () => {
    const json = JSON.parse(await readFile(join(root, 'conv', 'decoder', 'model.json'), 'utf8'));
    const node = json.modelTopology.model_config.config.layers[2].inbound_nodes[0]; // reshape
    node.kwargs = { mask: node.args[0] };
    await writeFile(join(root, 'bad', 'decoder', 'model.json'), JSON.stringify(json));
    const err = await loadModelFromUrl(`${server.base}/bad/decoder/model.json`).then(() => null, (e: unknown) => e);
    expect((err as Error).message).toMatch(/decoder\/model\.json: layer "reshape" takes a tensor through its keyword argument "mask", which tfjs-layers cannot pass/);
  });
});
