/**
 * Equivalent layouts (issue 13.2): a Keras 2 encoder that samples z with a `Lambda` (cut away: the app
 * uses the mean and log-variance only), images without a channel axis ([null, 28, 28]) into the encoder
 * and out of the decoder, and an encoder that gives the mean alone. Each loads and computes exactly
 * what the plain model does; a Lambda the mean depends on is refused in one sentence naming it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadedCodec } from '../../src/core/io/foreign';
import { disposeLoaded, loadModelFromUrl } from '../../src/core/io/load';
import { WeightsError } from '../../src/core/io/manifest';
import { makeConfig } from '../../src/core/model/config';
import { Sampling } from '../../src/core/model/sampling-layer';
import { ActiveModel } from '../../src/worker/model';
import { serveFolder } from './weights-fixtures';
import { saveModel, withLambda, writeManifest, writeSaved } from './weights-interop-fixtures';

let root: string;
let server: Awaited<ReturnType<typeof serveFolder>>;
const models: tf.LayersModel[] = [];

/** An MLP encoder: input `shape` (flattened first when it is an image), outputs [mean, logVar, z] or [mean] alone. */
function encoder(shape: number[], outputs: 'sampled' | 'mean-only' | 'lambda-mean'): tf.LayersModel {
  const x = tf.input({ shape, name: 'encoder_input' });
  const flat = shape.length > 1 ? (tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor) : x;
  const h = tf.layers.dense({ units: 24, activation: 'relu', name: 'dense_1' }).apply(flat) as tf.SymbolicTensor;
  const mean = tf.layers.dense({ units: 2, name: 'z_mean' }).apply(h) as tf.SymbolicTensor;
  if (outputs === 'mean-only') return keep(tf.model({ inputs: x, outputs: mean, name: 'encoder' }));
  const logVar = tf.layers.dense({ units: 2, name: 'z_log_var' }).apply(h) as tf.SymbolicTensor;
  const z = new Sampling({ name: 'z' }).apply([mean, logVar]) as tf.SymbolicTensor;
  // 'lambda-mean': the first output is the sampled layer itself (turned into a Lambda in the file).
  return keep(tf.model({ inputs: x, outputs: outputs === 'lambda-mean' ? [z, logVar] : [mean, logVar, z], name: 'encoder' }));
}

/** An MLP decoder ending in a sigmoid; output [null, 784] or [null, 28, 28] without a channel axis. */
function decoder(image: boolean): tf.LayersModel {
  const z = tf.input({ shape: [2], name: 'z_sampling' });
  const h = tf.layers.dense({ units: 24, activation: 'relu', name: 'dense_2' }).apply(z) as tf.SymbolicTensor;
  let out = tf.layers.dense({ units: 784, activation: 'sigmoid', name: 'dense_3' }).apply(h) as tf.SymbolicTensor;
  if (image) out = tf.layers.reshape({ targetShape: [28, 28], name: 'image' }).apply(out) as tf.SymbolicTensor;
  return keep(tf.model({ inputs: z, outputs: out, name: 'decoder' }));
}

const keep = (m: tf.LayersModel) => (models.push(m), m);
let flatDecoder: tf.LayersModel;
let imageDecoder: tf.LayersModel;
let lambdaEncoder: tf.LayersModel;
let imageEncoder: tf.LayersModel;
let meanEncoder: tf.LayersModel;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vae-layouts-'));
  flatDecoder = decoder(false);
  imageDecoder = decoder(true);
  lambdaEncoder = encoder([784], 'sampled');
  imageEncoder = encoder([28, 28], 'sampled');
  meanEncoder = encoder([784], 'mean-only');
  const write = async (dir: string, enc: tf.LayersModel, dec: tf.LayersModel, lambda: boolean) => {
    const saved = await saveModel(enc);
    await writeSaved(join(root, dir), 'encoder', lambda ? withLambda(saved, 'z') : saved);
    await writeSaved(join(root, dir), 'decoder', await saveModel(dec));
    await writeManifest(join(root, dir), 2, 'probabilities');
  };
  await write('lambda', lambdaEncoder, flatDecoder, true);
  await write('channelless', imageEncoder, imageDecoder, false);
  await write('mean-only', meanEncoder, flatDecoder, false);
  await write('lambda-mean', encoder([784], 'lambda-mean'), flatDecoder, true);
  server = await serveFolder(root, { cors: true });
});

afterAll(async () => {
  for (const m of models) m.dispose();
  await new Promise((done) => server?.close(done));
  if (root) await rm(root, { recursive: true, force: true });
});

async function values(t: tf.Tensor): Promise<number[]> {
  const v = Array.from((await t.data()) as Float32Array);
  t.dispose();
  return v;
}

/** The loaded model's decodings and encodings against the plain models' own outputs. */
async function expectSameAsPlain(dir: string, plainEncoder: tf.LayersModel, plainDecoder: tf.LayersModel, inputShape: number[]): Promise<void> {
  const before = tf.memory().numTensors;
  const loaded = await loadModelFromUrl(`${server.base}/${dir}/vae.json`);
  const codec = loadedCodec(loaded);
  const z = tf.tensor2d([[0, 0], [1, -1.5]]);
  expect(await values(codec.decode(z))).toEqual(await values(tf.tidy(() => tf.reshape(plainDecoder.predict(z) as tf.Tensor, [2, 784]))));
  const x = tf.randomUniform([2, 784], 0, 1, 'float32', 9) as tf.Tensor2D;
  const plain = tf.tidy(() => {
    const out = plainEncoder.predict(tf.reshape(x, [2, ...inputShape]));
    return Array.isArray(out) ? out : [out];
  });
  const got = codec.encode!(x);
  expect(await values(got.mean)).toEqual(await values(plain[0]));
  if (plain.length > 1) expect(await values(got.logVar)).toEqual(await values(plain[1]));
  else expect((await values(got.logVar)).every(Number.isNaN)).toBe(true); // no log-variance: NaN, never a made-up σ
  tf.dispose([z, x, ...plain]);
  disposeLoaded(loaded);
  expect(tf.memory().numTensors).toBe(before);
}

describe('equivalent layouts load', () => {
  it('a Keras 2 encoder whose z comes from a Lambda: the Lambda is cut away, mean and log-variance are the plain ones', async () => {
    const loaded = await loadModelFromUrl(`${server.base}/lambda/vae.json`);
    expect(loaded.encoder?.outputs).toHaveLength(2);
    expect(loaded.encoder?.layers.map((l) => l.getClassName())).not.toContain('Lambda');
    disposeLoaded(loaded);
    await expectSameAsPlain('lambda', lambdaEncoder, flatDecoder, [784]);
  });

  it('images without a channel axis: encoder input and decoder output [null, 28, 28]', async () => {
    const loaded = await loadModelFromUrl(`${server.base}/channelless/vae.json`);
    expect(loaded.encoder?.inputs[0].shape).toEqual([null, 28, 28]);
    expect(loaded.decoder.outputs[0].shape).toEqual([null, 28, 28]);
    disposeLoaded(loaded);
    await expectSameAsPlain('channelless', imageEncoder, imageDecoder, [28, 28]);
  });

  it('an encoder with the mean alone: scatter and decoding work, σ is marked unavailable with the reason', async () => {
    const loaded = await loadModelFromUrl(`${server.base}/mean-only/vae.json`);
    expect(loaded.hasLogVar).toBe(false);
    expect(loadedCodec(loaded).hasLogVar).toBe(false);
    const active = ActiveModel.fromLoaded(loaded, { label: 'mean only', url: null }, 2, makeConfig());
    expect(active.info).toMatchObject({ hasEncoder: true, trainable: false, training: null });
    expect(active.info.noLogVar).toMatch(/only the mean .* σ ellipses, the KL and the test ELBO cannot be computed/);
    active.dispose();
    await expectSameAsPlain('mean-only', meanEncoder, flatDecoder, [784]);
  });

  it('a Lambda on the way to the mean is refused in one sentence naming the layer and how to re-export', async () => {
    const tensors = tf.memory().numTensors;
    const variables = Object.keys(tf.engine().registeredVariables).length;
    const err = await loadModelFromUrl(`${server.base}/lambda-mean/vae.json`).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(WeightsError);
    const message = (err as Error).message;
    expect(message).toMatch(/^The encoder uses the layer type Lambda, which this app does not know\. Its layer "z" in http:\/\/127\.0\.0\.1:\d+\/lambda-mean\/encoder\/model\.json lies on the way to the encoder's mean \(output 1\)/);
    expect(message).toMatch(/export the encoder with outputs \[z_mean, z_log_var\]/);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(Object.keys(tf.engine().registeredVariables)).toHaveLength(variables);
  });
});
