/**
 * Models from anywhere (issue 13), as a person uses them: the bundled model's own weights re-exported
 * in the layouts other tools write (a Keras 3 export, a Keras 2 encoder sampling with a Lambda, a
 * PyTorch state dict in .safetensors, a folder without manifest whose encoder gives the mean alone,
 * an ?encoder=&decoder= pair) on another origin (CORS + CORP); each opens with ?model= (or the pair)
 * and shows the bundled model's manifold, with the model card naming it and no error.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { asKeras3, safetensorsBytes, withLambda, type Saved, type StateTensor } from '../unit/weights-interop-fixtures';
import { canvasPixels, looksLikeDigits, meanAbsDiff, openApp, scatterPointCount, waitForCanvas } from './support/app';
import { launchChromium, openPage, type WatchedPage } from './support/browser';
import { repoRoot, startStaticServer, type RunningServer } from './support/servers';

const appUrl = inject('appUrl');
const BUNDLED = join(repoRoot, 'public', 'models', 'mnist-2d');

let browser: Browser;
let session: WatchedPage;
let root = '';
let server: RunningServer;
let bundledManifold: number[] = [];

/** The bundled model's part as a Saved model (its one weights file renamed as a converter names it). */
async function bundled(part: 'encoder' | 'decoder'): Promise<Saved> {
  const json = JSON.parse(await readFile(join(BUNDLED, part, 'model.json'), 'utf8')) as Saved['json'];
  json.weightsManifest = [{ paths: ['group1-shard1of1.bin'], weights: json.weightsManifest.flatMap((g) => g.weights) }];
  return { json, weights: new Uint8Array(await readFile(join(BUNDLED, part, 'weights.bin'))) };
}

async function write(dir: string, part: string, saved: Saved): Promise<void> {
  await mkdir(join(root, dir, part), { recursive: true });
  await writeFile(join(root, dir, part, 'model.json'), JSON.stringify(saved.json));
  await writeFile(join(root, dir, part, 'group1-shard1of1.bin'), saved.weights);
}

async function manifest(dir: string): Promise<void> {
  const m = { format: 'vae-playground', version: 1, latentDim: 2, decoderOutput: 'logits', encoder: 'encoder/model.json', decoder: 'decoder/model.json' };
  await writeFile(join(root, dir, 'vae.json'), JSON.stringify(m));
}

/** The float32 weights of a saved part by name. */
function weightsOf(saved: Saved): Map<string, { shape: number[]; values: Float32Array }> {
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  let offset = 0;
  for (const spec of saved.json.weightsManifest[0].weights) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    out.set(spec.name, { shape: spec.shape, values: new Float32Array(saved.weights.slice(offset, offset + 4 * n).buffer) });
    offset += 4 * n;
  }
  return out;
}

/** Dense kernels [in, out] as PyTorch stores nn.Linear weights, [out, in]. */
function torchLinear(name: string, kernel: { shape: number[]; values: Float32Array }, bias: Float32Array): StateTensor[] {
  const [ins, outs] = kernel.shape;
  const w = new Float32Array(ins * outs);
  for (let i = 0; i < ins; i++) for (let o = 0; o < outs; o++) w[o * ins + i] = kernel.values[i * outs + o];
  return [[`${name}.weight`, [outs, ins], w], [`${name}.bias`, [outs], bias]];
}

/** The bundled model as a PyTorch MLP state dict: enc.0, enc.2, head (means then log-variances), dec.0, dec.2, dec.4. */
function asTorch(encoder: Saved, decoder: Saved): Uint8Array {
  const e = weightsOf(encoder);
  const d = weightsOf(decoder);
  const get = (m: typeof e, n: string) => m.get(n) as { shape: number[]; values: Float32Array };
  const mean = get(e, 'z_mean/kernel');
  const logVar = get(e, 'z_log_var/kernel');
  const [ins, z] = mean.shape;
  const head = new Float32Array(ins * 2 * z); // [in, 2z]: the mean's columns, then the log-variance's
  for (let i = 0; i < ins; i++) for (let k = 0; k < z; k++) {
    head[i * 2 * z + k] = mean.values[i * z + k];
    head[i * 2 * z + z + k] = logVar.values[i * z + k];
  }
  const headBias = new Float32Array([...get(e, 'z_mean/bias').values, ...get(e, 'z_log_var/bias').values]);
  return safetensorsBytes([
    ...torchLinear('enc.0', get(e, 'encoder_dense_1/kernel'), get(e, 'encoder_dense_1/bias').values),
    ...torchLinear('enc.2', get(e, 'encoder_dense_2/kernel'), get(e, 'encoder_dense_2/bias').values),
    ...torchLinear('head', { shape: [ins, 2 * z], values: head }, headBias),
    ...torchLinear('dec.0', get(d, 'decoder_dense_1/kernel'), get(d, 'decoder_dense_1/bias').values),
    ...torchLinear('dec.2', get(d, 'decoder_dense_2/kernel'), get(d, 'decoder_dense_2/bias').values),
    ...torchLinear('dec.4', get(d, 'decoder_logits/kernel'), get(d, 'decoder_logits/bias').values),
  ]);
}

/** The bundled encoder with a Keras 2 Lambda sampling z as a third output. */
function withSampledZ(encoder: Saved): Saved {
  const json = JSON.parse(JSON.stringify(encoder.json)) as Saved['json'];
  const config = json.modelTopology.config as { layers: Record<string, unknown>[]; output_layers: unknown[] };
  config.layers.push({ class_name: 'Sampling', name: 'z', config: { name: 'z' }, inbound_nodes: [[['z_mean', 0, 0, {}], ['z_log_var', 0, 0, {}]]] });
  config.output_layers.push(['z', 0, 0]);
  return withLambda({ json, weights: encoder.weights }, 'z');
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vae-e2e-interop-'));
  const [encoder, decoder] = [await bundled('encoder'), await bundled('decoder')];
  await write('keras3', 'encoder', asKeras3(encoder, 'encoder'));
  await write('keras3', 'decoder', asKeras3(decoder, 'decoder'));
  await manifest('keras3');
  await write('lambda', 'encoder', withSampledZ(encoder));
  await write('lambda', 'decoder', decoder);
  await manifest('lambda');
  const meanOnly = JSON.parse(JSON.stringify(encoder.json)) as Saved['json'];
  (meanOnly.modelTopology.config as { output_layers: unknown[] }).output_layers.splice(1);
  await write('mean-only', 'encoder', { json: meanOnly, weights: encoder.weights });
  await write('mean-only', 'decoder', decoder);
  await mkdir(join(root, 'torch'), { recursive: true });
  await writeFile(join(root, 'torch', 'vae.safetensors'), asTorch(encoder, decoder));
  server = await startStaticServer(root);

  browser = await launchChromium();
  session = await openPage(browser);
  await openApp(session.page, appUrl);
  bundledManifold = await waitForCanvas(session.page, 'manifold', { digits: true, timeout: 60_000 });
});

afterAll(async () => {
  await session?.close();
  await browser?.close();
  await server?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** Opens the app with `query`, waits for the model card to name `origin`, and checks it shows the bundled model's digits. */
async function opensLikeBundled(page: Page, query: string, origin: string): Promise<void> {
  await page.goto(new URL(query, appUrl).href); // not openApp: Train stays disabled for a model that can only be explored
  await page.waitForFunction(
    ([sel, want]) => (document.querySelector(sel as string)?.textContent ?? '').includes(want as string),
    ['[data-testid="model-info"]', origin] as const,
    { timeout: 60_000 },
  );
  await expect.poll(async () => meanAbsDiff((await canvasPixels(page, 'manifold')).gray, bundledManifold), { timeout: 30_000, interval: 500 }).toBeLessThan(0.5);
  expect(looksLikeDigits((await canvasPixels(page, 'manifold')).gray)).toBe(true);
  expect(await page.getByTestId('error').count()).toBe(0);
  const card = await page.getByTestId('model-info').innerText();
  expect(card).not.toMatch(/test loss/); // no training record, so no made-up figure
  expect(card).toMatch(/explore only/);
  expect(await page.getByTestId('train-toggle').isDisabled()).toBe(true);
  await expect.poll(() => scatterPointCount(page), { timeout: 60_000 }).toBeGreaterThan(0);
}

describe('exports from other tools load and show the same model', () => {
  test('a Keras 3 export (tensorflowjs_converter layout), a hand-written manifest without training record', async () => {
    const url = `${server.url}keras3/vae.json`;
    await opensLikeBundled(session.page, `?model=${encodeURIComponent(url)}`, url);
  });

  test('a Keras 2 encoder that samples z with a Lambda layer', async () => {
    const url = `${server.url}lambda/vae.json`;
    await opensLikeBundled(session.page, `?model=${encodeURIComponent(url)}`, url);
  });

  test('a PyTorch state dict (.safetensors) alone', async () => {
    const url = `${server.url}torch/vae.safetensors`;
    await opensLikeBundled(session.page, `?model=${encodeURIComponent(url)}`, url);
  });

  test('a folder without manifest whose encoder gives the mean alone: σ says why it is unavailable', async () => {
    const { page } = session;
    const url = `${server.url}mean-only/`;
    await opensLikeBundled(page, `?model=${encodeURIComponent(url)}`, url);
    await expect(page.getByTestId('sigma-note').innerText()).resolves.toMatch(/only the mean .* σ ellipses, the KL and the test ELBO cannot be computed/);
    expect(await page.getByRole('checkbox', { name: 'σ on hover' }).isDisabled()).toBe(true);
  });

  test('an ?encoder=&decoder= pair of model.json URLs, kept in the address', async () => {
    const { page } = session;
    const [encoder, decoder] = [`${server.url}keras3/encoder/model.json`, `${server.url}keras3/decoder/model.json`];
    await opensLikeBundled(page, `?encoder=${encodeURIComponent(encoder)}&decoder=${encodeURIComponent(decoder)}`, decoder);
    const params = new URL(page.url()).searchParams;
    expect([params.get('encoder'), params.get('decoder'), params.get('model')]).toEqual([encoder, decoder, null]);
  });

  test('nothing unexpected was logged', () => {
    expect(session.unexpectedErrors([/Failed to load resource: the server responded with a status of 404/])).toEqual([]);
  });
});
