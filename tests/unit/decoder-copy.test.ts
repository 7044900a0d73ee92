/**
 * The decoder worker's copy (issue 12.3): built by the family's own builder from a snapshot of the
 * training worker's decoder, it decodes the same pixels as the model itself (conv, conditional, MLP),
 * follows weight updates, rebuilds for another architecture, and leaks no tensors; the page's client
 * (DecoderCopies) over a real host keeps only the newest point and passes the chosen class.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DecoderCopies, type DecoderWorkerPort } from '../../src/app/decoding';
import { decodePoint, vaeCodec } from '../../src/core/model/codec';
import { makeConfig, type VaeConfig } from '../../src/core/model/config';
import { Vae } from '../../src/core/model/vae';
import { DecoderCopy, DecoderCopyHost, networkSnapshot, type DecoderCopyEvent, type DecoderCopyRequest } from '../../src/worker/decoder-copy';
import { transferablesOf } from '../../src/worker/protocol';

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** The model's own decoding of z under `label` (the training worker's path). */
async function ownDecoding(vae: Vae, z: number[], label = 0): Promise<Float32Array> {
  const codec = vaeCodec(vae);
  if (codec.classes !== undefined) codec.decodeClass = label;
  return decodePoint(codec, z);
}

/** Every weight of the decoder moved by a seeded amount: new weights, as after a training step. */
function perturb(vae: Vae, seed: number): void {
  const next = vae.decoder.getWeights().map((w, i) => tf.tidy(() => tf.add(w, tf.randomNormal(w.shape, 0, 0.05, 'float32', seed + i))));
  vae.decoder.setWeights(next);
  tf.dispose(next);
}

const FAMILIES: { name: string; config: Partial<VaeConfig> }[] = [
  { name: 'conv', config: { family: 'conv', latentDim: 2 } },
  { name: 'conv, 16-D', config: { family: 'conv', latentDim: 16 } },
  { name: 'conditional conv', config: { family: 'conv', latentDim: 2, conditional: true } },
  { name: 'conditional MLP', config: { hidden: [64, 32], latentDim: 2, conditional: true } },
  { name: 'MLP', config: { hidden: [64, 32], latentDim: 3 } },
];

describe('DecoderCopy', () => {
  it.each(FAMILIES)('a $name decoder copy decodes the pixels of the model itself (within 1e-5), before and after new weights', async ({ config }) => {
    const vae = Vae.create(makeConfig({ ...config, seed: 3 }));
    const copy = new DecoderCopy();
    copy.load(await networkSnapshot(vae.config, vae.decoder));
    expect(copy.latentDim).toBe(vae.config.latentDim);
    const z = Array.from({ length: vae.config.latentDim }, (_, k) => Math.sin(k + 1) * 1.5);
    const labels = vae.config.conditional ? [0, 7] : [0];
    const before: Float32Array[] = [];
    for (const label of labels) {
      const mine = await copy.decode(z, label);
      const own = await ownDecoding(vae, z, label);
      expect(mine).toHaveLength(784);
      expect(maxDiff(mine, own)).toBeLessThan(1e-5);
      before.push(mine);
    }
    if (vae.config.conditional) expect(maxDiff(before[0], before[1])).toBeGreaterThan(1e-3); // the class changes the digit
    perturb(vae, 11);
    copy.load(await networkSnapshot(vae.config, vae.decoder));
    const after = await copy.decode(z, labels[0]);
    expect(maxDiff(after, await ownDecoding(vae, z, labels[0]))).toBeLessThan(1e-5);
    expect(maxDiff(after, before[0])).toBeGreaterThan(1e-4); // the copy follows the new weights
    copy.dispose();
    vae.dispose();
  });

  it('leaks no tensors over many decodes and weight updates, and frees its network when the architecture changes or it is disposed', async () => {
    const conv = Vae.create(makeConfig({ family: 'conv', latentDim: 2, seed: 1 }));
    const cvae = Vae.create(makeConfig({ hidden: [32], latentDim: 2, conditional: true, seed: 2 }));
    const baseline = tf.memory().numTensors;
    const copy = new DecoderCopy();
    copy.load(await networkSnapshot(conv.config, conv.decoder));
    const withCopy = tf.memory().numTensors;
    expect(withCopy).toBeGreaterThan(baseline);
    for (let i = 0; i < 40; i++) {
      if (i % 8 === 0) copy.load(await networkSnapshot(conv.config, conv.decoder));
      await copy.decode([i / 10, -i / 20]);
    }
    expect(tf.memory().numTensors).toBe(withCopy);
    copy.load(await networkSnapshot(cvae.config, cvae.decoder)); // another architecture: a new network, the old one freed
    for (let i = 0; i < 10; i++) await copy.decode([i / 10, 0], i % 10);
    const withCvae = tf.memory().numTensors;
    copy.load(await networkSnapshot(cvae.config, cvae.decoder));
    expect(tf.memory().numTensors).toBe(withCvae);
    copy.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    conv.dispose();
    cvae.dispose();
  });

  it('refuses weights that do not fit the network, in words, and keeps decoding with the ones it had', async () => {
    const vae = Vae.create(makeConfig({ family: 'conv', latentDim: 2, seed: 4 }));
    const good = await networkSnapshot(vae.config, vae.decoder);
    const copy = new DecoderCopy();
    copy.load(good);
    const before = await copy.decode([0.3, 0.3]);
    const bad = await networkSnapshot(vae.config, vae.decoder);
    bad.weights.pop();
    expect(() => copy.load(bad)).toThrow(/do not fit a conv decoder/);
    expect(maxDiff(await copy.decode([0.3, 0.3]), before)).toBe(0);
    await expect(new DecoderCopy().decode([0, 0])).rejects.toThrow(/no weights yet/);
    copy.dispose();
    vae.dispose();
  });

  it('the weights event of a network snapshot transfers its buffers', async () => {
    const vae = Vae.create(makeConfig({ family: 'conv', latentDim: 2 }));
    const snapshot = await networkSnapshot(vae.config, vae.decoder);
    const buffers = transferablesOf({ type: 'weights', generation: 1, step: 0, decoder: snapshot });
    expect(buffers).toHaveLength(vae.decoder.getWeights().length);
    expect(buffers).toContain(snapshot.weights[0].values.buffer);
    vae.dispose();
  });
});

/** A port to a DecoderCopyHost in this thread (structured clone stands in for postMessage's copy). */
function hostPort(): DecoderWorkerPort & { sent: DecoderCopyRequest[]; host: DecoderCopyHost; fail(): void } {
  const listeners: ((e: MessageEvent<DecoderCopyEvent>) => void)[] = [];
  const errorListeners: ((e: Event) => void)[] = [];
  const host = new DecoderCopyHost((event) => setTimeout(() => listeners.forEach((l) => l({ data: event } as MessageEvent<DecoderCopyEvent>)), 0));
  let queue = Promise.resolve();
  const sent: DecoderCopyRequest[] = [];
  return {
    sent,
    host,
    postMessage(message) {
      sent.push(message);
      const copy = structuredClone(message);
      queue = queue.then(() => host.handle(copy));
    },
    addEventListener(type: 'message' | 'error', listener: ((e: MessageEvent<DecoderCopyEvent>) => void) | ((e: Event) => void)) {
      if (type === 'message') listeners.push(listener as (e: MessageEvent<DecoderCopyEvent>) => void);
      else errorListeners.push(listener as (e: Event) => void);
    },
    terminate: () => undefined,
    fail: () => errorListeners.forEach((l) => l(new Event('error'))),
  };
}

describe('DecoderCopies (the page side)', () => {
  it('decodes a conv model in the copy: only the newest of the points sent meanwhile is decoded, under the chosen class', async () => {
    const vae = Vae.create(makeConfig({ family: 'conv', latentDim: 2, conditional: true, seed: 6 }));
    const port = hostPort();
    let fallbacks = 0;
    const copies = new DecoderCopies({ fallback: async () => (fallbacks++, null), onError: (err) => { throw err; }, createPort: () => port });
    const decoder = copies.decoderFor(await networkSnapshot(vae.config, vae.decoder));
    expect(decoder).toMatchObject({ latentDim: 2, immediate: false });
    copies.setDecodeClass(3);
    const shown: { z: number[]; pixels: Float32Array }[] = [];
    const points = [[0, 0], [0.5, 0.5], [1, -1], [-1, 2]];
    const done = new Promise<void>((resolve) => {
      points.forEach((z) => decoder.decode(z, (pixels) => {
        shown.push({ z, pixels });
        if (z === points[points.length - 1]) resolve();
      }));
    });
    await done;
    expect(shown.map((s) => s.z)).toEqual([points[0], points[3]]); // the two in between were replaced before their turn
    expect(maxDiff(shown[1].pixels, await ownDecoding(vae, points[3], 3))).toBeLessThan(1e-5);
    expect(port.sent.filter((m) => m.type === 'decode').map((m) => (m as { label: number }).label)).toEqual([3, 3]);
    expect(fallbacks).toBe(0);
    // The same decoder object takes the next weights (its queue of points lives on).
    expect(copies.decoderFor(await networkSnapshot(vae.config, vae.decoder))).toBe(decoder);
    copies.close();
    vae.dispose();
  });

  it('a decoder worker that fails to start hands its points to the training worker, the one waiting too', async () => {
    const vae = Vae.create(makeConfig({ family: 'conv', latentDim: 2, seed: 9 }));
    const port = hostPort();
    port.postMessage = (message) => void port.sent.push(message); // a worker that never answers...
    const fallback: number[][] = [];
    const copies = new DecoderCopies({ fallback: async (z) => (fallback.push(z), new Float32Array(784).fill(0.25)), onError: (err) => { throw err; }, createPort: () => port });
    const decoder = copies.decoderFor(await networkSnapshot(vae.config, vae.decoder));
    const shown = new Promise<Float32Array>((resolve) => decoder.decode([0.1, 0.2], resolve));
    port.fail(); // ...and whose script then fails (a Worker's 'error' event)
    expect((await shown)[0]).toBe(0.25);
    await new Promise<Float32Array>((resolve) => decoder.decode([0.3, 0.4], resolve));
    expect(fallback).toEqual([[0.1, 0.2], [0.3, 0.4]]);
    vae.dispose();
  });

  it("an MLP's dense snapshot decodes at once on the main thread; without a decoder worker the training worker decodes", async () => {
    const copies = new DecoderCopies({ fallback: async () => new Float32Array(784).fill(0.5), onError: () => undefined, createPort: () => null });
    const layer = (inDim: number, outDim: number) => ({ kernel: new Float32Array(inDim * outDim).fill(0.01), bias: new Float32Array(outDim), inDim, outDim, activation: 'relu' as const });
    const local = copies.decoderFor({ layers: [layer(2, 8), { ...layer(8, 784), activation: 'linear' }] });
    expect(local.immediate).toBe(true);
    const vae = Vae.create(makeConfig({ family: 'conv', latentDim: 2 }));
    const remote = copies.decoderFor(await networkSnapshot(vae.config, vae.decoder));
    const pixels = await new Promise<Float32Array>((resolve) => remote.decode([0, 0], resolve));
    expect(pixels[0]).toBe(0.5); // the fallback's answer
    vae.dispose();
  });
});

describe("a conditional MLP's dense snapshot (main thread)", () => {
  it('decodes the pixels of the model itself under the chosen class, within 1e-5', async () => {
    const { decoderSnapshot } = await import('../../src/worker/readouts');
    const { MlpDecoder } = await import('../../src/core/latent/mlp-decoder');
    const vae = Vae.create(makeConfig({ hidden: [64, 32], latentDim: 2, conditional: true, seed: 8 }));
    const snapshot = await decoderSnapshot(vae);
    expect(snapshot.classes).toBe(10);
    const mlp = new MlpDecoder(snapshot);
    expect(mlp.latentDim).toBe(2);
    const z = [0.7, -0.4];
    const three = mlp.decode(z, undefined, 3);
    expect(maxDiff(three, await ownDecoding(vae, z, 3))).toBeLessThan(1e-5);
    expect(maxDiff(mlp.decode(z, undefined, 8), await ownDecoding(vae, z, 8))).toBeLessThan(1e-5);
    expect(maxDiff(three, mlp.decode(z, undefined, 8))).toBeGreaterThan(1e-3);
    // The page's decoder over it decodes at once, under the class the picker set.
    const copies = new DecoderCopies({ fallback: async () => null, onError: () => undefined, createPort: () => null });
    const local = copies.decoderFor(snapshot);
    copies.setDecodeClass(3);
    let shown: Float32Array | null = null;
    local.decode(z, (p) => (shown = p.slice()));
    expect(local.immediate).toBe(true);
    expect(maxDiff(shown!, three)).toBe(0);
    vae.dispose();
  });
});
