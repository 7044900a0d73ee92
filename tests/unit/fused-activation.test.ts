import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { canFuseBiasActivation, fusedBiasActivation, fusedReluGrad } from '../../src/core/accelerator/activation';

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('fused bias and ReLU kernels (wasm)', () => {
  const pre = tf.randomNormal([12, 8], 0, 1, 'float32', 1) as tf.Tensor2D; // [U, B]
  const bias = tf.randomNormal([12], 0, 1, 'float32', 2) as tf.Tensor1D;
  const dy = tf.randomNormal([12, 8], 0, 1, 'float32', 3) as tf.Tensor2D;

  it('run on wasm for a batch of a multiple of 4 only', () => {
    expect(canFuseBiasActivation(8)).toBe(true);
    expect(canFuseBiasActivation(6)).toBe(false);
  });

  it('bias + ReLU and bias alone equal the stock ops; NaN stays NaN', () => {
    const stockPre = tf.add(pre, tf.reshape(bias, [-1, 1]));
    const relu = fusedBiasActivation(pre, bias, true);
    const linear = fusedBiasActivation(pre, bias, false);
    expect(maxAbsDiff(relu, tf.relu(stockPre))).toBe(0);
    expect(maxAbsDiff(linear, stockPre)).toBe(0);
    expect(tf.tidy(() => tf.sum(tf.equal(relu, 0)).dataSync()[0])).toBeGreaterThan(10); // some units are off
    const withNaN = fusedBiasActivation(tf.tensor2d([[NaN, 1, -1, 2]]), tf.tensor1d([0]), true);
    expect(Array.from(withNaN.dataSync()).map(String)).toEqual(['NaN', '1', '0', '2']);
    tf.dispose([stockPre, relu, linear, withNaN]);
  });

  it("ReLU's backward masks dy where the output is 0 and sums the bias gradient", () => {
    const y = tf.relu(tf.add(pre, tf.reshape(bias, [-1, 1]))) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const { g, db } = fusedReluGrad(dy, y);
    expect(tf.memory().numTensors).toBe(before + 2);
    const stockG = tf.mul(dy, tf.step(y));
    expect(maxAbsDiff(g, stockG)).toBe(0);
    expect(maxAbsDiff(db, tf.sum(stockG, 1))).toBeLessThan(1e-5);
    tf.dispose([y, g, db, stockG]);
  });
});
