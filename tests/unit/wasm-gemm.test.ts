import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { canMultiplyWithFma, matMulOpA } from '../../src/core/accelerator/gemm';

/** The largest |a - b| over two same-shaped tensors. */
function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('matrix product with fused multiply-add (wasm, relaxed SIMD)', () => {
  it('runs here: the unit tests start Node with relaxed SIMD on (vitest.config.ts)', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(canMultiplyWithFma(128)).toBe(true);
    expect(canMultiplyWithFma(4)).toBe(false); // columns not a multiple of 8: stock matMul
  });

  // The three 784-wide products of a training step, a latent head, remainder rows (M % 4), K = 1, and a fallback (N = 4).
  const cases: { a: [number, number]; b: [number, number]; transposeA: boolean }[] = [
    { a: [400, 784], b: [400, 128], transposeA: true }, // decoder output forward: Wᵀ·X
    { a: [400, 784], b: [784, 128], transposeA: false }, // its input gradient: W·G
    { a: [400, 128], b: [128, 784], transposeA: false }, // its weight gradient: X·Gᵀ
    { a: [400, 40], b: [400, 128], transposeA: true },
    { a: [7, 5], b: [5, 16], transposeA: false },
    { a: [5, 7], b: [5, 8], transposeA: true },
    { a: [3, 1], b: [1, 8], transposeA: false },
    { a: [6, 3], b: [3, 4], transposeA: false },
  ];
  for (const { a: aShape, b: bShape, transposeA } of cases) {
    it(`A [${aShape}]${transposeA ? 'ᵀ' : ''} · B [${bShape}] equals tf.matMul, one new tensor`, () => {
      const a = tf.randomNormal(aShape, 0, 1, 'float32', 1) as tf.Tensor2D;
      const b = tf.randomNormal(bShape, 0, 1, 'float32', 2) as tf.Tensor2D;
      const before = tf.memory().numTensors;
      const fast = matMulOpA(a, b, transposeA);
      expect(tf.memory().numTensors).toBe(before + 1);
      const stock = tf.matMul(a, b, transposeA);
      expect(fast.shape).toEqual(stock.shape);
      // float32 sums of up to 784 products of N(0,1) values: FMA rounds once per term instead of twice
      expect(maxAbsDiff(fast, stock)).toBeLessThan(1e-3);
      expect(maxAbsDiff(fast, tf.zerosLike(stock))).toBeGreaterThan(1); // not all zeros
      tf.dispose([a, b, fast, stock]);
    });
  }

  it('is the kernel tfjs runs (profiled), and mismatched shapes are refused in words', async () => {
    const a = tf.randomNormal([16, 8]) as tf.Tensor2D;
    const b = tf.randomNormal([16, 8]) as tf.Tensor2D;
    const profile = await tf.profile(() => tf.dispose(matMulOpA(a, b, true)));
    expect(profile.kernelNames).toEqual(['VaeGemm']);
    expect(() => matMulOpA(a, b)).toThrow(/do not chain/);
    tf.dispose([a, b]);
  });
});
