import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { transpose2d } from '../../src/core/accelerator/transpose';

describe('2-D transpose by SIMD blocks (wasm)', () => {
  for (const shape of [[4, 4], [8, 12], [400, 784], [128, 20], [6, 5], [2, 128]] as [number, number][]) {
    it(`[${shape}] equals tf.transpose${shape.every((d) => d % 4 === 0) ? ' (SIMD kernel)' : ' (fallback)'}`, () => {
      const x = tf.randomNormal(shape, 0, 1, 'float32', shape[0]) as tf.Tensor2D;
      const before = tf.memory().numTensors;
      const fast = transpose2d(x);
      expect(tf.memory().numTensors).toBe(before + 1);
      const stock = tf.transpose(x);
      expect(fast.shape).toEqual([shape[1], shape[0]]);
      expect(Array.from(fast.dataSync())).toEqual(Array.from(stock.dataSync()));
      tf.dispose([x, fast, stock]);
    });
  }

  it('runs its own kernel on wasm and is differentiable', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const x = tf.randomNormal([8, 4]) as tf.Tensor2D;
    const weights = tf.randomNormal([4, 8]);
    const loss = (t: tf.Tensor) => tf.sum(tf.mul(transpose2d(t as tf.Tensor2D), weights));
    const profile = await tf.profile(() => tf.dispose(loss(x)));
    expect(profile.kernelNames).toContain('VaeTranspose2D');
    const grad = tf.grad(loss)(x);
    expect(grad.arraySync()).toEqual(tf.tidy(() => tf.transpose(weights).arraySync()));
    tf.dispose([x, weights, grad]);
  });
});
