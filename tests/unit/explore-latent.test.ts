/** Interpolation paths and the KL per latent dimension, on real tfjs and real MNIST. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import { takeFirst, type DatasetSplits } from '../../src/core/data/dataset';
import { interpolatePath } from '../../src/core/latent/interpolate';
import { activeDimensions, klPerDimension } from '../../src/core/latent/kl-per-dim';
import { sampleStandardNormal } from '../../src/core/latent/normal';
import { makeConfig } from '../../src/core/model/config';
import { Vae } from '../../src/core/model/vae';
import { TrainingSession } from '../../src/worker/session';

let mnist: DatasetSplits;

beforeAll(async () => {
  mnist = await loadDatasetFromDir();
});

const norm = (z: number[]) => Math.hypot(...z);

describe('interpolation paths', () => {
  it('start and end exactly at the endpoints, linear and spherical, in any dimension', () => {
    for (const dim of [2, 20]) {
      const a = sampleStandardNormal(dim);
      const b = sampleStandardNormal(dim);
      for (const how of ['linear', 'spherical'] as const) {
        const path = interpolatePath(a, b, 10, how);
        expect(path).toHaveLength(10);
        path[0].forEach((v, k) => expect(v).toBeCloseTo(a[k], 12));
        path[9].forEach((v, k) => expect(v).toBeCloseTo(b[k], 12));
      }
    }
  });

  it('slerp keeps a constant norm between points of equal norm, where the straight line sags toward the unlikely origin', () => {
    const dim = 20;
    const a = sampleStandardNormal(dim);
    const draw = sampleStandardNormal(dim);
    // Two independent 20-D draws are nearly orthogonal; made exactly so (the draw's part along a removed), the test cannot flake.
    const along = draw.reduce((s, v, k) => s + v * a[k], 0) / norm(a) ** 2;
    const raw = draw.map((v, k) => v - along * a[k]);
    const b = raw.map((v) => (v * norm(a)) / norm(raw)); // same norm as a, orthogonal to it
    const sphere = interpolatePath(a, b, 11, 'spherical');
    for (const z of sphere) expect(norm(z)).toBeCloseTo(norm(a), 9);
    const line = interpolatePath(a, b, 11, 'linear');
    // Between orthogonal points of equal norm the chord's midpoint is 1/√2 of the radius.
    expect(norm(line[5])).toBeCloseTo(Math.SQRT1_2 * norm(a), 9);
    // Unequal norms: slerp's norms stay between the endpoints' (near the prior's typical radius √d).
    const c = b.map((v) => v * 1.3);
    const norms = interpolatePath(a, c, 11, 'spherical').map(norm);
    for (const n of norms) {
      expect(n).toBeGreaterThanOrEqual(Math.min(norm(a), norm(c)) - 1e-9);
      expect(n).toBeLessThanOrEqual(Math.max(norm(a), norm(c)) + 1e-9);
    }
    norms.slice(1).forEach((n, i) => expect(n).toBeGreaterThan(norms[i])); // from |a| up to |c| = 1.3 |a|
  });
});

describe('KL per latent dimension', () => {
  it('sums to the total KL of the ELBO, per example and over the test set, without leaking tensors', async () => {
    const vae = Vae.create(makeConfig({ hidden: [64], latentDim: 6, seed: 4 }));
    const session = new TrainingSession(vae, takeFirst(mnist.train, 2000), 1);
    for (let i = 0; i < 30; i++) session.trainStep(); // not a fresh encoder: posteriors away from the prior
    await session.readMetrics();
    const count = 500;
    const before = tf.memory().numTensors;
    const [means, logVars, kl] = tf.tidy(() => {
      const x = tf.tensor2d(mnist.test.images.subarray(0, count * 784), [count, 784]); // [B, D]
      const { mean, logVar } = vae.encode(x); // [B, Z]
      const eps = tf.randomNormal([count, 6], 0, 1, 'float32', 7) as tf.Tensor2D; // [B, Z]
      return [mean, logVar, vae.lossTerms(x, eps).kl]; // [B, Z], [B, Z], [B]
    });
    const [m, lv, k] = await Promise.all([means.data(), logVars.data(), kl.data()]);
    tf.dispose([means, logVars, kl]);
    expect(tf.memory().numTensors).toBe(before);
    const totalKl = (k as Float32Array).reduce((s, v) => s + v, 0) / count;
    const perDim = klPerDimension(m as Float32Array, lv as Float32Array, count, 6);
    expect(perDim).toHaveLength(6);
    for (const v of perDim) expect(v).toBeGreaterThanOrEqual(0);
    const sum = perDim.reduce((s, v) => s + v, 0);
    expect(totalKl).toBeGreaterThan(1); // a trained encoder carries information
    expect(sum).toBeCloseTo(totalKl, 3);
    // One example alone: its dimensions sum to its own KL.
    const one = klPerDimension((m as Float32Array).subarray(0, 6), (lv as Float32Array).subarray(0, 6), 1, 6);
    expect(one.reduce((s, v) => s + v, 0)).toBeCloseTo((k as Float32Array)[0], 3);
    session.dispose();
  });

  it('is zero for a posterior equal to the prior and marks such dimensions inactive', () => {
    // Dimension 0 carries the example (mean ±1, small variance); dimension 1 is the prior for every example.
    const means = [1, 0, -1, 0];
    const logVars = [Math.log(0.1), 0, Math.log(0.1), 0];
    const perDim = klPerDimension(means, logVars, 2, 2);
    expect(perDim[0]).toBeCloseTo(0.5 * (1 + 0.1 - Math.log(0.1) - 1), 12);
    expect(perDim[1]).toBe(0);
    expect(activeDimensions(perDim)).toEqual([0]);
    expect(activeDimensions([0.0099, 0.01, 3])).toEqual([1, 2]);
  });
});
