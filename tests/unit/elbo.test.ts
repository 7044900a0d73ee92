import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  bernoulliNll,
  gaussianNll,
  klToStandardNormal,
  logNormalDensity,
  logStandardNormalDensity,
  reparameterize,
} from '../../src/core/model/elbo';

const t2 = (rows: number[][]) => tf.tensor2d(rows);

describe('closed-form KL to N(0, I)', () => {
  it('is zero for q = N(0, I) and matches the formula by hand', async () => {
    const zero = klToStandardNormal(t2([[0, 0]]), t2([[0, 0]]));
    expect((await zero.data())[0]).toBeCloseTo(0, 6);
    // mean 1, var e^1: 0.5 * (1 + e - 1 - 1) per dim
    const kl = klToStandardNormal(t2([[1]]), t2([[1]]));
    expect((await kl.data())[0]).toBeCloseTo(0.5 * (1 + Math.E - 1 - 1), 5);
    tf.dispose([zero, kl]);
  });

  it('agrees with a Monte-Carlo estimate E_q[log q(z) - log p(z)]', async () => {
    const mean = t2([[0.7, -1.2, 0.3]]);
    const logVar = t2([[-0.5, 0.4, -1.5]]);
    const closed = (await klToStandardNormal(mean, logVar).data())[0];
    const samples = 200_000;
    const estimate = tf.tidy(() => {
      const m = tf.tile(mean, [samples, 1]) as tf.Tensor2D;
      const lv = tf.tile(logVar, [samples, 1]) as tf.Tensor2D;
      const z = reparameterize(m, lv, tf.randomNormal([samples, 3], 0, 1, 'float32', 7) as tf.Tensor2D);
      return tf.mean(tf.sub(logNormalDensity(z, m, lv), logStandardNormalDensity(z)));
    });
    const mc = (await estimate.data())[0];
    expect(Math.abs(mc - closed)).toBeLessThan(0.02);
    expect(closed).toBeGreaterThan(1); // a real, non-trivial divergence
    tf.dispose([mean, logVar, estimate]);
  });
});

describe('reconstruction terms', () => {
  it('Bernoulli NLL from logits equals binary cross-entropy by hand, summed over pixels', async () => {
    const logits = [0.5, -2, 3];
    const x = [1, 0, 0.25];
    const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));
    const byHand = logits.reduce((s, l, i) => s - (x[i] * Math.log(sigmoid(l)) + (1 - x[i]) * Math.log(1 - sigmoid(l))), 0);
    const nll = bernoulliNll(t2([logits]), t2([x]));
    expect((await nll.data())[0]).toBeCloseTo(byHand, 4);
    nll.dispose();
  });

  it('Bernoulli NLL stays finite for extreme logits and its gradient is sigmoid(l) - x', async () => {
    const logits = t2([[-200, 200, 0]]);
    const x = t2([[1, 0, 1]]);
    const nll = await bernoulliNll(logits, x).data();
    expect(nll[0]).toBeCloseTo(400 + Math.log(2), 3); // 200 + 200 + log 2
    const grad = tf.grad((l: tf.Tensor) => tf.sum(bernoulliNll(l as tf.Tensor2D, x)))(logits);
    expect(Array.from(await grad.data())).toEqual([expect.closeTo(-1, 5), expect.closeTo(1, 5), expect.closeTo(-0.5, 5)]);
    tf.dispose([logits, x, grad]);
  });

  it('Gaussian NLL equals squared error / (2 var) plus the normaliser', async () => {
    const logits = [0, 2];
    const x = [0.2, 0.9];
    const variance = 0.1;
    const means = logits.map((l) => 1 / (1 + Math.exp(-l)));
    const sq = means.reduce((s, m, i) => s + (m - x[i]) ** 2, 0);
    const byHand = sq / (2 * variance) + 0.5 * 2 * Math.log(2 * Math.PI * variance);
    const nll = gaussianNll(t2([logits]), t2([x]), variance);
    expect((await nll.data())[0]).toBeCloseTo(byHand, 4);
    nll.dispose();
  });

  it('reparameterize is mean + exp(logVar/2) * eps', async () => {
    const z = reparameterize(t2([[1, -1]]), t2([[Math.log(4), 0]]), t2([[0.5, 2]]));
    expect(Array.from(await z.data())).toEqual([expect.closeTo(2, 5), expect.closeTo(1, 5)]);
    z.dispose();
  });
});
