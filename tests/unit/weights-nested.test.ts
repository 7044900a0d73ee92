/**
 * Model files as people export them beyond the encoder/decoder pair: a whole Keras VAE in one
 * model.json (its encoder and decoder nested, Keras' `vae.save`), an encoder's model.json pasted where
 * a decoder's goes, files a browser cannot read (pickles, HDF5, .keras), and the app's own .zip at a URL.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeArchive } from '../../src/core/io/archive';
import { folderSink } from '../../src/core/io/files';
import { disposeLoaded, loadModelFromUrl } from '../../src/core/io/load';
import { posteriorOutputs } from '../../src/core/io/prepare';
import { saveVae } from '../../src/core/io/save';
import { makeConfig } from '../../src/core/model/config';
import { Vae } from '../../src/core/model/vae';
import { kerasDecoder, kerasEncoder, serveFolder } from './weights-fixtures';
import { saveModel, withLambda, writeSaved, type Saved } from './weights-interop-fixtures';

type Json = Record<string, unknown>;
let root: string;
let server: Awaited<ReturnType<typeof serveFolder>>;
let encoder: tf.LayersModel;
let decoder: tf.LayersModel;
const url = (path: string) => `${server.base}/${path}`;
const Z = tf.tensor2d([[0.3, -1.2], [1.5, 0.4]]);
const IMAGES = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 7);

/** The whole VAE as Keras' example builds it: decoder(encoder(x)[2]), the two models nested. */
function wholeVae(): tf.LayersModel {
  const x = tf.input({ shape: [28, 28, 1], name: 'vae_input' });
  const [, , z] = encoder.apply(x) as tf.SymbolicTensor[];
  return tf.model({ inputs: x, outputs: decoder.apply(z) as tf.SymbolicTensor, name: 'vae' });
}

/** `saved` with the nested encoder's sampling layer `z` as a Keras 2 Lambda (Python bytecode a browser never runs). */
function withNestedLambda(saved: Saved): Saved {
  const json = JSON.parse(JSON.stringify(saved.json)) as Saved['json'];
  const nested = ((json.modelTopology.config as Json).layers as Json[]).find((l) => l.name === 'encoder') as Json;
  const z = ((nested.config as Json).layers as Json[]).find((l) => l.name === 'z') as Json;
  z.class_name = 'Lambda';
  z.config = { name: 'z', trainable: true, function: ['4wEAAAAAAAAAAAAAAAMAAAAT', null, null], function_type: 'lambda', output_shape: [2], arguments: {} };
  json.modelTopology = { keras_version: '2.2.4', backend: 'tensorflow', model_config: { ...json.modelTopology, class_name: 'Model' } };
  return { json, weights: saved.weights };
}

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vae-nested-'));
  encoder = kerasEncoder();
  decoder = kerasDecoder();
  const whole = wholeVae();
  const saved = await saveModel(whole);
  await writeSaved(root, 'whole', saved);
  await writeSaved(root, 'whole-lambda', withNestedLambda(saved));
  await writeSaved(root, 'encoder-only', await saveModel(encoder));
  // The sample listed first, through a Lambda: [z, z_mean, z_log_var].
  const [mean, logVar, z] = encoder.outputs;
  const reordered = tf.model({ inputs: encoder.inputs, outputs: [z, mean, logVar], name: 'encoder' });
  await writeSaved(root, 'reordered/encoder', withLambda(await saveModel(reordered), 'z'));
  await writeSaved(root, 'reordered/decoder', await saveModel(decoder));
  await mkdir(join(root, 'formats'), { recursive: true });
  await writeFile(join(root, 'formats', 'vae.pt'), Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0])); // torch.save: a zip
  await writeFile(join(root, 'formats', 'pytorch_model.bin'), Uint8Array.from([0x80, 0x02, 0x7d, 0x71, 0x00])); // a bare pickle, named by no extension of its own
  await writeFile(join(root, 'formats', 'encoder.h5'), Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0]));
  await writeFile(join(root, 'formats', 'vae.keras'), Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 1, 2]));
  const vae = Vae.create(makeConfig({ hidden: [16], latentDim: 2, seed: 3 }));
  const sink = folderSink();
  await saveVae(vae, sink, { dataset: 'mnist', training: { epochs: 1, testElbo: -150, testReconstruction: 140, testKl: 10 } });
  vae.dispose();
  await writeFile(join(root, 'saved.zip'), writeArchive(sink.files, 'saved'));
  server = await serveFolder(root, { cors: true });
});

afterAll(async () => {
  encoder?.dispose();
  decoder?.dispose();
  await new Promise((done) => server?.close(done));
  if (root) await rm(root, { recursive: true, force: true });
});

describe('a whole VAE in one model.json', () => {
  for (const [name, folder] of [['tfjs/Keras Functional', 'whole'], ['Keras 2.2.4 Model with a Lambda sampler', 'whole-lambda']] as const) {
    it(`${name}: its nested encoder and decoder load as a pair and compute what the originals do`, async () => {
      const tensors = tf.memory().numTensors;
      const loaded = await loadModelFromUrl(url(`${folder}/model.json`));
      expect(loaded.latentDim).toBe(2);
      expect(loaded.hasLogVar).toBe(true);
      expect(loaded.encoder!.outputs).toHaveLength(2); // the sample is cut away
      const [mean, logVar] = loaded.encoder!.predict(IMAGES) as tf.Tensor[];
      const [wantMean, wantLogVar, wantZ] = encoder.predict(IMAGES) as tf.Tensor[];
      expect(maxDiff(mean, wantMean)).toBeLessThan(1e-6);
      expect(maxDiff(logVar, wantLogVar)).toBeLessThan(1e-6);
      const image = loaded.decoder.predict(Z) as tf.Tensor;
      const want = decoder.predict(Z) as tf.Tensor;
      expect(maxDiff(image, want)).toBeLessThan(1e-6);
      tf.dispose([mean, logVar, wantMean, wantLogVar, wantZ, image, want]);
      disposeLoaded(loaded);
      expect(tf.memory().numTensors).toBe(tensors);
    });
  }
});

describe('an encoder whose outputs come in another order', () => {
  it('[z, z_mean, z_log_var] with z from a Lambda: the mean and log-variance are found by name', async () => {
    const loaded = await loadModelFromUrl(url('reordered/'));
    expect(loaded.encoder!.outputs.map((o) => o.sourceLayer.name)).toEqual(['z_mean', 'z_log_var']);
    const [mean, logVar] = loaded.encoder!.predict(IMAGES) as tf.Tensor[];
    const [wantMean, wantLogVar, wantZ] = encoder.predict(IMAGES) as tf.Tensor[];
    expect(maxDiff(mean, wantMean)).toBeLessThan(1e-6);
    expect(maxDiff(logVar, wantLogVar)).toBeLessThan(1e-6);
    tf.dispose([mean, logVar, wantMean, wantLogVar, wantZ]);
    disposeLoaded(loaded);
  });

  it('picks outputs by their names, else the first two', () => {
    expect(posteriorOutputs(['z', 'z_mean', 'z_log_var'], 3)).toEqual([1, 2]);
    expect(posteriorOutputs(['logvar', 'mu'], 2)).toEqual([1, 0]);
    expect(posteriorOutputs(['dense_3', 'dense_4', 'lambda_1'], 3)).toEqual([0, 1]);
    expect(posteriorOutputs(['z_mean'], 1)).toEqual([0]);
  });
});

describe('files that are not what the address should hold', () => {
  it('an encoder model.json given alone: one sentence saying it is an encoder and what to give', async () => {
    await expect(loadModelFromUrl(url('encoder-only/model.json'))).rejects.toThrow(
      /encoder-only\/model\.json is an encoder \(its outputs are z_mean, z_log_var, z\), not a decoder: give the decoder's model\.json, or the folder \(or a vae\.json\) that holds both encoder\/ and decoder\/\./,
    );
  });

  it('pickles, HDF5 and .keras files are named, with what to export instead', async () => {
    await expect(loadModelFromUrl(url('formats/vae.pt'))).rejects.toThrow(/vae\.pt is a pickled PyTorch file \(torch\.save\), which a browser cannot read safely: save the state dict with safetensors instead/);
    await expect(loadModelFromUrl(url('formats/pytorch_model.bin'))).rejects.toThrow(/pytorch_model\.bin is a pickled PyTorch file/); // by its bytes
    await expect(loadModelFromUrl(url('formats/encoder.h5'))).rejects.toThrow(/encoder\.h5 is a Keras HDF5 file, which a browser cannot read: convert it with tensorflowjs_converter/);
    await expect(loadModelFromUrl(url('formats/vae.keras'))).rejects.toThrow(/vae\.keras is a Keras \.keras file/);
  });

  it("the app's own .zip at a URL opens as a picked one does", async () => {
    const loaded = await loadModelFromUrl(url('saved.zip'));
    expect(loaded.manifest?.dataset).toBe('mnist');
    expect(loaded.latentDim).toBe(2);
    disposeLoaded(loaded);
  });
});
