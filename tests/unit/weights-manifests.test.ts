/**
 * Manifests (issue 13.3): only what the app needs is required; the training record is optional (and
 * a test ELBO of null is no ELBO); no manifest at all: a folder holding encoder/ and decoder/ (or a
 * vae.json), or an encoder/decoder pair of model.json URLs, the decoder's output kind read from its
 * last activation. What the CLI writes, with --epochs 0 too, loads through the app's loader.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelFromDirectory } from '../../scripts/lib/weights-node';
import { loadedCodec } from '../../src/core/io/foreign';
import { disposeLoaded, loadModelFromUrl, type LoadedModel } from '../../src/core/io/load';
import { WeightsError } from '../../src/core/io/manifest';
import { makeConfig } from '../../src/core/model/config';
import { ActiveModel } from '../../src/worker/model';
import { serveFolder } from './weights-fixtures';
import { saveModel, writeManifest, writeSaved } from './weights-interop-fixtures';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
let root: string;
let server: Awaited<ReturnType<typeof serveFolder>>;
let encoder: tf.LayersModel;
let sigmoidDecoder: tf.LayersModel;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vae-manifests-'));
  const x = tf.input({ shape: [784] });
  const h = tf.layers.dense({ units: 16, activation: 'relu', name: 'h' }).apply(x) as tf.SymbolicTensor;
  const heads = ['z_mean', 'z_log_var'].map((name) => tf.layers.dense({ units: 2, name }).apply(h) as tf.SymbolicTensor);
  encoder = tf.model({ inputs: x, outputs: heads, name: 'encoder' });
  sigmoidDecoder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 16, activation: 'relu' }), tf.layers.dense({ units: 784, activation: 'sigmoid' })] });
  for (const dir of ['plain', 'folder', 'record']) {
    await writeSaved(join(root, dir), 'encoder', await saveModel(encoder));
    await writeSaved(join(root, dir), 'decoder', await saveModel(sigmoidDecoder));
  }
  await writeManifest(join(root, 'plain'), 2, 'probabilities');
  await writeManifest(join(root, 'record'), 2, 'probabilities', { training: { epochs: 0, testElbo: null, testKl: null } });
  server = await serveFolder(root, { cors: true });
});

afterAll(async () => {
  encoder?.dispose();
  sigmoidDecoder?.dispose();
  await new Promise((done) => server?.close(done));
  if (root) await rm(root, { recursive: true, force: true });
});

/** The decodings of the loaded model and of the plain decoder at a few points agree exactly. */
async function expectDecodesLikePlain(loaded: LoadedModel, plain: tf.LayersModel, logits = false): Promise<void> {
  const z = tf.tensor2d([[0, 0], [0.8, -1.3]]);
  const got = tf.tidy(() => loadedCodec(loaded).decode(z));
  const want = tf.tidy(() => {
    const out = tf.reshape(plain.predict(z) as tf.Tensor, [2, 784]);
    return logits ? tf.sigmoid(out) : out;
  });
  expect(Array.from(await got.data())).toEqual(Array.from(await want.data()));
  tf.dispose([z, got, want]);
}

describe('a manifest written by hand', () => {
  it('with only the required fields loads; there is no training record and the model card shows none', async () => {
    const loaded = await loadModelFromUrl(`${server.base}/plain/vae.json`);
    expect(loaded.manifest).toMatchObject({ latentDim: 2, decoderOutput: 'probabilities', likelihood: 'bernoulli', dataset: 'mnist', image: [28, 28, 1] });
    expect(loaded.manifest?.training).toBeUndefined();
    await expectDecodesLikePlain(loaded, sigmoidDecoder);
    const active = ActiveModel.fromLoaded(loaded, { label: 'hand-written', url: null }, 2, makeConfig());
    expect(active.info.training).toBeNull(); // never "test loss 0.00"
    active.dispose();
  });

  it('a training record whose figures are null, at 0 epochs, says nothing and is not shown', async () => {
    const loaded = await loadModelFromUrl(`${server.base}/record/vae.json`);
    expect(loaded.manifest?.training).toBeUndefined();
    disposeLoaded(loaded);
  });
});

describe('no manifest at all', () => {
  it('the URL of a folder holding encoder/ and decoder/, with or without the final slash', async () => {
    for (const url of [`${server.base}/folder/`, `${server.base}/folder`]) {
      const loaded = await loadModelFromUrl(url);
      expect(loaded).toMatchObject({ latentDim: 2, decoderOutput: 'probabilities', hasLogVar: true });
      expect(loaded.encoder).not.toBeNull();
      await expectDecodesLikePlain(loaded, sigmoidDecoder);
      disposeLoaded(loaded);
    }
  });

  it('the URL of a folder holding a vae.json reads the manifest', async () => {
    await writeManifest(join(root, 'folder'), 2, 'logits'); // differs from the sigmoid the loader would read
    const loaded = await loadModelFromUrl(`${server.base}/folder/`);
    expect(loaded.decoderOutput).toBe('logits');
    disposeLoaded(loaded);
    await rm(join(root, 'folder', 'vae.json'));
  });

  it('an encoder/decoder pair of model.json URLs', async () => {
    const loaded = await loadModelFromUrl(`${server.base}/plain/decoder/model.json`, { encoder: `${server.base}/plain/encoder/model.json` });
    expect(loaded).toMatchObject({ latentDim: 2, decoderOutput: 'probabilities' });
    expect(loaded.manifest).toMatchObject({ encoder: `${server.base}/plain/encoder/model.json`, decoder: `${server.base}/plain/decoder/model.json` });
    const x = tf.randomUniform([3, 784], 0, 1, 'float32', 4) as tf.Tensor2D;
    const got = loadedCodec(loaded).encode!(x);
    const want = encoder.predict(x) as tf.Tensor[];
    expect(Array.from(await got.mean.data())).toEqual(Array.from(await want[0].data()));
    tf.dispose([x, got.mean, got.logVar, ...want]);
    await expectDecodesLikePlain(loaded, sigmoidDecoder);
    disposeLoaded(loaded);
  });

  it('a folder holding none of the layouts says what was looked for', async () => {
    const err = await loadModelFromUrl(`${server.base}/nothing/`).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(WeightsError);
    expect((err as Error).message).toMatch(/^Found no model at http:\/\/127\.0\.0\.1:\d+\/nothing\/: looked there for vae\.json, vae-torch\.json, decoder\/model\.json, model\.json, vae\.safetensors, model\.safetensors/);
  });
});

describe('what the CLI writes', () => {
  it('npm run train -- --epochs 0 --out DIR loads in the app, decoding what the CLI saved', async () => {
    const out = join(root, 'cli');
    const run = await new Promise<{ code: number; stderr: string }>((done) =>
      execFile(process.execPath, ['--import', 'tsx', 'scripts/train.ts', '--epochs', '0', '--hidden', '16', '--out', out], { cwd: repo }, (err, _stdout, stderr) =>
        done({ code: err ? Number(err.code ?? 1) : 0, stderr })),
    );
    expect(run.code, run.stderr).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, 'vae.json'), 'utf8'));
    expect(manifest.training.epochs).toBe(0);
    const loaded = await loadModelFromUrl(`${server.base}/cli/vae.json`);
    expect(loaded).toMatchObject({ latentDim: 2, decoderOutput: 'logits' });
    expect(typeof loaded.manifest?.training?.testElbo).toBe('number');
    const active = ActiveModel.fromLoaded(loaded, { label: 'cli', url: null }, 2, makeConfig({ hidden: [16] }));
    expect(active.info).toMatchObject({ trainable: true, hidden: [16], training: { epochs: 0 } });
    active.dispose();
    // An older CLI wrote null for the test ELBO it never measured: that manifest loads too.
    await writeFile(join(out, 'vae.json'), JSON.stringify({ ...manifest, training: { ...manifest.training, testElbo: null, testReconstruction: null, testKl: null } }));
    const older = await loadModelFromDirectory(out);
    const plain = await tf.loadLayersModel(`${server.base}/cli/decoder/model.json`);
    await expectDecodesLikePlain(older, plain, true);
    expect(older.manifest?.training?.testElbo).toBeUndefined();
    plain.dispose();
    disposeLoaded(older);
  });
});
