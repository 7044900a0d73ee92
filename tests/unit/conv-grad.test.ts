/**
 * The wasm-safe convolutions (src/core/model/conv-ops.ts): their values and gradients on the wasm
 * backend (which has no Conv2DBackpropFilter) equal tfjs' own conv2d / conv2dTranspose and their
 * autodiff gradients on the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { conv2dFilterGrad, conv2dSame, conv2dTransposeSame } from '../../src/core/model/conv-ops';

const startBackend = tf.getBackend();
afterAll(async () => {
  await tf.setBackend(startBackend);
});

/** Seeded values of a shape, as a plain array (so both backends get the same numbers). */
function values(shape: number[], seed: number): Float32Array {
  return tf.tidy(() => tf.randomNormal(shape, 0, 1, 'float32', seed).dataSync() as Float32Array);
}

/** The loss sum(y * probe) and its gradients in x and W, on the backend in use: [y, dx, dW] as arrays. */
function valueAndGrads(
  conv: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D,
  x: Float32Array,
  xShape: number[],
  w: Float32Array,
  wShape: number[],
  probe: (yShape: number[]) => Float32Array,
) {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, xShape as [number, number, number, number]);
    const wt = tf.tensor4d(w, wShape as [number, number, number, number]);
    const y = conv(xt, wt);
    const p = tf.tensor(probe(y.shape), y.shape);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), p)))([xt, wt]);
    return [y, ...grads].map((t) => ({ shape: t.shape, data: Array.from(t.dataSync()) }));
  });
}

const maxDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const scale = (a: number[]) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

const cases = [
  // The Keras example's layers: stride 2 on 28 and 14 pixels (asymmetric 'same' padding), and stride 1.
  { name: 'conv2d 3x3 stride 2, 28x28x1 -> 14x14x4', kind: 'conv' as const, x: [3, 28, 28, 1], w: [3, 3, 1, 4], stride: 2 },
  { name: 'conv2d 3x3 stride 2, 14x14x3 -> 7x7x5', kind: 'conv' as const, x: [2, 14, 14, 3], w: [3, 3, 3, 5], stride: 2 },
  { name: 'conv2d 3x3 stride 1, odd size', kind: 'conv' as const, x: [2, 9, 7, 2], w: [3, 3, 2, 3], stride: 1 },
  { name: 'conv2dTranspose 3x3 stride 2, 7x7x4 -> 14x14x3', kind: 'transpose' as const, x: [2, 7, 7, 4], w: [3, 3, 3, 4], stride: 2 },
  { name: 'conv2dTranspose 3x3 stride 1, 28x28x2 -> 28x28x1', kind: 'transpose' as const, x: [2, 28, 28, 2], w: [3, 3, 1, 2], stride: 1 },
  // Beyond the Keras example (the phase decomposition's taps depend on kernel, stride and padding):
  // an even kernel, a kernel wider than twice the stride, stride 3, and odd sizes whose input gradient is cropped.
  { name: 'conv2dTranspose 4x4 stride 2, 5x6x3 -> 10x12x2', kind: 'transpose' as const, x: [2, 5, 6, 3], w: [4, 4, 2, 3], stride: 2 },
  { name: 'conv2dTranspose 5x5 stride 3, 4x3x2 -> 12x9x3', kind: 'transpose' as const, x: [1, 4, 3, 2], w: [5, 5, 3, 2], stride: 3 },
  { name: 'conv2d 3x3 stride 2, odd size 7x9x2 -> 4x5x3', kind: 'conv' as const, x: [2, 7, 9, 2], w: [3, 3, 2, 3], stride: 2 },
  { name: 'conv2d 5x4 stride 3, 11x10x1 -> 4x4x2', kind: 'conv' as const, x: [1, 11, 10, 1], w: [5, 4, 1, 2], stride: 3 },
];

describe('wasm-safe convolutions', () => {
  for (const c of cases) {
    it(`${c.name}: value and both gradients on wasm equal tfjs' autodiff on cpu`, async () => {
      const x = values(c.x, 1);
      const w = values(c.w, 2);
      const probe = (shape: number[]) => values(shape, 3);
      const [, h, wd] = c.x;
      const stock = (a: tf.Tensor4D, b: tf.Tensor4D) =>
        c.kind === 'conv' ? tf.conv2d(a, b, c.stride, 'same') : tf.conv2dTranspose(a, b, [c.x[0], h * c.stride, wd * c.stride, c.w[2]], c.stride, 'same');
      const ours = (a: tf.Tensor4D, b: tf.Tensor4D) => (c.kind === 'conv' ? conv2dSame(a, b, c.stride) : conv2dTransposeSame(a, b, c.stride));

      await tf.setBackend('cpu');
      const reference = valueAndGrads(stock, x, c.x, w, c.w, probe);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const wasm = valueAndGrads(ours, x, c.x, w, c.w, probe);
      expect(tf.memory().numTensors).toBe(before);
      await tf.setBackend(startBackend);

      ['value', 'dx', 'dW'].forEach((what, i) => {
        expect(wasm[i].shape, what).toEqual(reference[i].shape);
        expect(maxDiff(wasm[i].data, reference[i].data), what).toBeLessThan(1e-4 * Math.max(1, scale(reference[i].data)));
      });
      // The gradients are not trivially zero.
      expect(scale(reference[2].data)).toBeGreaterThan(0.1);
    });
  }

  it('stock tfjs on wasm cannot differentiate conv2d in its filter (why conv-ops exists)', async () => {
    await tf.setBackend('wasm');
    const run = () =>
      tf.tidy(() => tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')))(tf.ones([3, 3, 1, 1])));
    expect(run).toThrow(/Conv2DBackpropFilter/);
    await tf.setBackend(startBackend);
  });

  it('conv2dFilterGrad sums input times output gradient at each tap (hand-computed 1-channel case)', () => {
    // x 2x2 = [[1, 2], [3, 4]], stride 1, 'same' with a 3x3 kernel pads one pixel on each side; dy all ones.
    const dW = tf.tidy(() => conv2dFilterGrad(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), tf.ones([1, 2, 2, 1]) as tf.Tensor4D, [3, 3], 1).dataSync());
    // Tap (i, j) sees the pixels at (u + i - 1, v + j - 1) for u, v in {0, 1}: the centre all four (10), a corner tap the one opposite.
    expect(Array.from(dW)).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
  });
});
