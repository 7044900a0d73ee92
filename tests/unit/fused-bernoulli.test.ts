import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { canFuseBernoulli, fusedBernoulliNll } from '../../src/core/accelerator/bernoulli';
import { bernoulliNllColumns } from '../../src/core/accelerator/elbo';
import { bernoulliNll } from '../../src/core/model/elbo';

/** Binary cross-entropy by hand in float64: logits, x as [D][B] -> nll [B], grad [D][B]. */
function byHand(logits: number[][], x: number[][]): { nll: number[]; grad: number[][] } {
  const batch = logits[0].length;
  const nll = new Array<number>(batch).fill(0);
  const grad = logits.map((row, p) =>
    row.map((l, b) => {
      nll[b] += Math.max(l, 0) - l * x[p][b] + Math.log1p(Math.exp(-Math.abs(l)));
      return 1 / (1 + Math.exp(-l)) - x[p][b];
    }),
  );
  return { nll, grad };
}

describe('fused Bernoulli loss kernel (wasm)', () => {
  it('runs on wasm for a batch of a multiple of 4 only', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(canFuseBernoulli([784, 128])).toBe(true);
    expect(canFuseBernoulli([784, 30])).toBe(false);
  });

  it('equals binary cross-entropy and its gradient, from tiny to huge logits', async () => {
    // logits from -120 to 120 (exp underflows at both ends), and near zero where log1p matters most
    const pixels = 64;
    const batch = 12;
    const logits = Array.from({ length: pixels }, (_, p) => Array.from({ length: batch }, (_, b) => {
      const k = p * batch + b;
      return k % 5 === 0 ? ((k % 97) - 48) * 2.5 : ((k % 41) - 20) * 0.37 + (k % 3) * 1e-4;
    }));
    const x = Array.from({ length: pixels }, (_, p) => Array.from({ length: batch }, (_, b) => ((p * 7 + b * 3) % 11) / 10));
    const expected = byHand(logits, x);
    const l = tf.tensor2d(logits);
    const xs = tf.tensor2d(x);
    const before = tf.memory().numTensors;
    const { nll, grad } = fusedBernoulliNll(l, xs);
    expect(tf.memory().numTensors).toBe(before + 2);
    const nllValues = await nll.data();
    expected.nll.forEach((v, b) => expect(Math.abs(nllValues[b] - v)).toBeLessThan(1e-5 * Math.max(1, Math.abs(v))));
    const gradValues = await grad.data();
    expected.grad.flat().forEach((v, i) => expect(Math.abs(gradValues[i] - v)).toBeLessThan(1e-6));
    tf.dispose([l, xs, nll, grad]);
  });

  it('in the loss, value and gradient equal the stock-kernel path', async () => {
    const logits = tf.randomNormal([784, 16], 0, 4, 'float32', 7) as tf.Tensor2D;
    const x = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([784, 16], 0, 1, 'float32', 8), 0.8), 'float32')) as tf.Tensor2D;
    const upstream = tf.randomNormal([16], 0, 1, 'float32', 9);
    const loss = (axisOrFused: 0 | 1) => (l: tf.Tensor) =>
      axisOrFused === 0 ? tf.sum(tf.mul(bernoulliNllColumns(l as tf.Tensor2D, x), upstream)) : tf.sum(tf.mul(bernoulliNll(tf.transpose(l) as tf.Tensor2D, tf.transpose(x) as tf.Tensor2D), upstream));
    const fused = tf.valueAndGrad(loss(0))(logits); // feature-major: the fused kernel
    const stock = tf.valueAndGrad(loss(1))(logits); // batch-major: stock kernels
    expect(Math.abs((await fused.value.data())[0] - (await stock.value.data())[0])).toBeLessThan(1e-2);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(fused.grad, stock.grad))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-5);
    // the upstream gradient scales each example's column in one kernel
    const profile = await tf.profile(() => tf.dispose(tf.grad(loss(0))(logits)));
    expect(profile.kernelNames).toContain('VaeScaleColumns');
    tf.dispose([logits, x, upstream, fused.value, fused.grad, stock.value, stock.grad]);
  });

  it('a NaN logit gives a NaN loss (divergence is seen), and nothing leaks over many steps', async () => {
    const logits = tf.tensor2d([[0.3, NaN, -1, 2]]);
    const x = tf.tensor2d([[1, 0, 0, 1]]);
    const nll = await bernoulliNllColumns(logits, x).data();
    expect(Number.isNaN(nll[1])).toBe(true);
    expect(nll.filter(Number.isFinite)).toHaveLength(3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      const { value, grad } = tf.valueAndGrad((l: tf.Tensor) => tf.sum(bernoulliNllColumns(l as tf.Tensor2D, x)))(logits);
      tf.dispose([value, grad]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, x]);
  });
});
