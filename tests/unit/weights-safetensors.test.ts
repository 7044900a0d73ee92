/**
 * PyTorch state dicts in `.safetensors` files (issue 13.4), written byte by byte in the test: the
 * layout of pytorch/examples' VAE (fc1, fc21, fc22, fc3, fc4) maps by its names; an `enc.N / head /
 * dec.N` MLP with its vae-torch.json beside it; any other MLP through the manifest's `torch` list.
 * Decodings and encodings equal the forward pass computed here in plain JS from the same numbers
 * (nn.Linear: y = x W^T + b, W stored [out, in]). Broken files are refused naming the file and the
 * tensor or module.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadedCodec } from '../../src/core/io/foreign';
import { disposeLoaded, loadModelFromUrl, type LoadedModel } from '../../src/core/io/load';
import { WeightsError } from '../../src/core/io/manifest';
import { serveFolder } from './weights-fixtures';
import { linear, maxDiff, relu, safetensorsBytes, seededValues, sigmoid, type StateTensor } from './weights-interop-fixtures';

const H = 24; // hidden units
const Z = 2;
let root: string;
let server: Awaited<ReturnType<typeof serveFolder>>;

/** An nn.Linear(ins, outs) as two state-dict tensors with seeded values. */
function linearTensors(name: string, ins: number, outs: number, seed: number): StateTensor[] {
  return [[`${name}.weight`, [outs, ins], seededValues(outs * ins, seed)], [`${name}.bias`, [outs], seededValues(outs, seed + 1)]];
}

const get = (dict: StateTensor[], name: string) => (dict.find((t) => t[0] === name) as StateTensor)[2];
const apply = (dict: StateTensor[], name: string, x: ArrayLike<number>) => {
  const [, [outs, ins]] = dict.find((t) => t[0] === `${name}.weight`) as StateTensor;
  return linear(x, get(dict, `${name}.weight`), get(dict, `${name}.bias`), outs, ins);
};

// pytorch/examples' VAE: fc1 784->H, fc21/fc22 H->Z, fc3 Z->H, fc4 H->784, decode = sigmoid(fc4(relu(fc3(z)))).
const examples: StateTensor[] = [
  ...linearTensors('fc1', 784, H, 1), ...linearTensors('fc21', H, Z, 3), ...linearTensors('fc22', H, Z, 5),
  ...linearTensors('fc3', Z, H, 7), ...linearTensors('fc4', H, 784, 9),
];
// An nn.Sequential MLP: enc.0 784->H (ReLU at enc.1), head H->2Z (means then log-variances), dec.0 Z->H, dec.2 H->784 (logits).
const sequential: StateTensor[] = [...linearTensors('enc.0', 784, H, 11), ...linearTensors('head', H, 2 * Z, 13), ...linearTensors('dec.0', Z, H, 15), ...linearTensors('dec.2', H, 784, 17)];
// Any other MLP, mapped by a layer list: tanh hidden layers, separate heads, names of its own.
const custom: StateTensor[] = [
  ...linearTensors('encoder.lin', 784, H, 21), ...linearTensors('to_mu', H, Z, 23), ...linearTensors('to_logvar', H, Z, 25),
  ...linearTensors('decoder.lin1', Z, H, 27), ...linearTensors('decoder.lin2', H, 784, 29),
];

async function put(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(join(root, path, '..'), { recursive: true });
  await writeFile(join(root, path), data);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vae-safetensors-'));
  await put('examples/vae.safetensors', safetensorsBytes(examples));
  await put('sequential/vae.safetensors', safetensorsBytes(sequential));
  await put('sequential/vae-torch.json', JSON.stringify({ framework: 'pytorch', arch: 'mlp', latent: Z, classes: 0, activation: 'relu', decoderOutput: 'logits' }));
  await put('custom/weights.safetensors', safetensorsBytes(custom));
  await put('custom/vae.json', JSON.stringify({
    format: 'vae-playground', version: 1, latentDim: Z, decoderOutput: 'logits', safetensors: 'weights.safetensors',
    torch: { encoder: ['encoder.lin', 'tanh'], mean: 'to_mu', logVar: 'to_logvar', decoder: ['decoder.lin1', 'tanh', 'decoder.lin2'] },
  }));
  server = await serveFolder(root, { cors: true });
});

afterAll(async () => {
  await new Promise((done) => server?.close(done));
  if (root) await rm(root, { recursive: true, force: true });
});

const POINTS = [[0, 0], [1.5, -0.5], [-2, 0.7]];
const IMAGE = seededValues(784, 99, 0.5).map((v) => v + 0.5); // one image, pixels in [0, 1]

/** Checks a loaded model against `decode`/`encode` computed in plain JS; tolerance for float32 against float64. */
async function expectForward(loaded: LoadedModel, decode: (z: number[]) => Float64Array, encode: (x: Float32Array) => [Float64Array, Float64Array]): Promise<void> {
  const codec = loadedCodec(loaded);
  const z = tf.tensor2d(POINTS);
  const got = tf.tidy(() => codec.decode(z));
  expect(maxDiff(await got.data(), POINTS.flatMap((p) => Array.from(decode(p))))).toBeLessThan(1e-5);
  const x = tf.tensor2d(IMAGE, [1, 784]);
  const { mean, logVar } = codec.encode!(x);
  const [m, v] = encode(IMAGE);
  expect(maxDiff(await mean.data(), m)).toBeLessThan(1e-5);
  expect(maxDiff(await logVar.data(), v)).toBeLessThan(1e-5);
  tf.dispose([z, got, x, mean, logVar]);
}

describe('a PyTorch VAE from a .safetensors file', () => {
  it("pytorch/examples' layout maps by its names alone; decodings are its sigmoid outputs", async () => {
    const before = tf.memory().numTensors;
    const loaded = await loadModelFromUrl(`${server.base}/examples/vae.safetensors`);
    expect(loaded).toMatchObject({ latentDim: Z, decoderOutput: 'probabilities', hasLogVar: true });
    expect(loaded.manifest?.training).toBeUndefined();
    await expectForward(
      loaded,
      (z) => sigmoid(apply(examples, 'fc4', relu(apply(examples, 'fc3', z)))),
      (x) => {
        const h = relu(apply(examples, 'fc1', x));
        return [apply(examples, 'fc21', h), apply(examples, 'fc22', h)];
      },
    );
    disposeLoaded(loaded);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an enc.N / head / dec.N MLP with its vae-torch.json: the head splits into means then log-variances, logits decoded', async () => {
    for (const url of [`${server.base}/sequential/vae.safetensors`, `${server.base}/sequential/vae-torch.json`, `${server.base}/sequential/`]) {
      const loaded = await loadModelFromUrl(url);
      expect(loaded).toMatchObject({ latentDim: Z, decoderOutput: 'logits' });
      await expectForward(
        loaded,
        (z) => sigmoid(apply(sequential, 'dec.2', relu(apply(sequential, 'dec.0', z)))),
        (x) => {
          const out = apply(sequential, 'head', relu(apply(sequential, 'enc.0', x)));
          return [out.slice(0, Z), out.slice(Z)];
        },
      );
      disposeLoaded(loaded);
    }
  });

  it("any other MLP through the manifest's short layer list (the manifest's URL, or the file's with the manifest beside it)", async () => {
    for (const url of [`${server.base}/custom/vae.json`, `${server.base}/custom/weights.safetensors`]) {
      const loaded = await loadModelFromUrl(url);
      const tanh = (v: Float64Array) => v.map(Math.tanh);
      await expectForward(
        loaded,
        (z) => sigmoid(apply(custom, 'decoder.lin2', tanh(apply(custom, 'decoder.lin1', z)))),
        (x) => {
          const h = tanh(apply(custom, 'encoder.lin', x));
          return [apply(custom, 'to_mu', h), apply(custom, 'to_logvar', h)];
        },
      );
      disposeLoaded(loaded);
    }
  });

  it('half-precision files (F16 and BF16) read to the same values', async () => {
    // Values that F16 and BF16 hold exactly: multiples of 1/64 below 1.
    const exact = examples.map(([n, s, v]): StateTensor => [n, s, v.map((x) => Math.round(x * 64) / 64)]);
    for (const dtype of ['F16', 'BF16'] as const) {
      await put(`half-${dtype}/vae.safetensors`, safetensorsBytes(exact, dtype));
      const loaded = await loadModelFromUrl(`${server.base}/half-${dtype}/vae.safetensors`);
      await expectForward(
        loaded,
        (z) => sigmoid(apply(exact, 'fc4', relu(apply(exact, 'fc3', z)))),
        (x) => {
          const h = relu(apply(exact, 'fc1', x));
          return [apply(exact, 'fc21', h), apply(exact, 'fc22', h)];
        },
      );
      disposeLoaded(loaded);
    }
  });
});

describe('broken or unknown state dicts are refused naming the file and the tensor or module', () => {
  async function refusal(path: string, data: Uint8Array | string | null, entry = path): Promise<string> {
    if (data !== null) await put(path, data);
    const tensors = tf.memory().numTensors;
    const variables = Object.keys(tf.engine().registeredVariables).length;
    const err = await loadModelFromUrl(`${server.base}/${entry}`).then((m) => (disposeLoaded(m), null), (e: unknown) => e);
    expect(err).toBeInstanceOf(WeightsError);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(Object.keys(tf.engine().registeredVariables)).toHaveLength(variables);
    return (err as Error).message;
  }

  it('a truncated file, a header longer than the file, a header that is not JSON', async () => {
    const whole = safetensorsBytes(examples);
    expect(await refusal('cut/vae.safetensors', whole.subarray(0, whole.length - 100))).toMatch(/cut\/vae\.safetensors: the tensor "fc4\.bias" lies past the end of the file .*truncated/);
    const long = whole.slice(0, 64);
    new DataView(long.buffer).setUint32(0, 1_000_000, true);
    expect(await refusal('long/vae.safetensors', long)).toMatch(/long\/vae\.safetensors is not a safetensors file: its first 8 bytes announce a header of 1000000 bytes, longer than the file/);
    const text = new TextEncoder().encode('\u0010\u0000\u0000\u0000\u0000\u0000\u0000\u0000{"a": [1, 2, 3  ');
    expect(await refusal('text/vae.safetensors', text)).toMatch(/text\/vae\.safetensors is not a safetensors file: its header is not valid JSON/);
  });

  it('names this app does not recognise, a layer list naming a missing module, tensors a layer list leaves out', async () => {
    const renamed = examples.map(([n, s, v]): StateTensor => [n.replace('fc', 'layer'), s, v]);
    expect(await refusal('unknown/model.safetensors', safetensorsBytes(renamed))).toMatch(/unknown\/model\.safetensors holds the modules layer1, layer21, layer22, .* a layout this app does not recognise; write a vae\.json beside it that names the file and lists its layers in a "torch" field/);
    const manifest = (decoder: string[]) => JSON.stringify({ format: 'vae-playground', version: 1, latentDim: Z, decoderOutput: 'probabilities', safetensors: 'vae.safetensors', torch: { encoder: ['fc1', 'relu'], mean: 'fc21', logVar: 'fc22', decoder } });
    await put('listed/vae.safetensors', safetensorsBytes(examples));
    expect(await refusal('listed/vae.json', manifest(['fc3', 'relu', 'fc5']))).toMatch(/listed\/vae\.safetensors has no tensor "fc5\.weight", which the manifest's "torch" list needs for the module "fc5"/);
    expect(await refusal('listed/vae.json', manifest(['fc3', 'sigmoid']))).toMatch(/listed\/vae\.safetensors holds fc4\.weight, fc4\.bias, which the manifest's "torch" list does not use/);
  });

  it('a layer whose input size does not fit the step before, and a conditional model', async () => {
    const wrong = examples.map(([n, s, v]): StateTensor => (n === 'fc3.weight' ? [n, [H, 3], seededValues(H * 3, 7)] : [n, s, v]));
    expect(await refusal('wrong/vae.safetensors', safetensorsBytes(wrong))).toMatch(/wrong\/vae\.safetensors: the nn\.Linear "fc3" takes 3 features but the step before gives \[batch, 2\]/);
    await put('cvae/vae.safetensors', safetensorsBytes(sequential));
    expect(await refusal('cvae/vae-torch.json', JSON.stringify({ framework: 'pytorch', arch: 'mlp', latent: Z, classes: 10 }))).toMatch(/cvae\/vae\.safetensors holds a conditional VAE .* does not load conditional PyTorch models yet/);
  });
});
