import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { canFuseLatentSample } from '../../src/core/accelerator/latent-sample';
import { sampleLatentColumns } from '../../src/core/accelerator/elbo';
import { klToStandardNormal, reparameterize } from '../../src/core/model/elbo';

/** The same block in stock ops, autodiff: head [2Z, B], eps [Z, B]. */
function stockLatent(head: tf.Tensor2D, eps: tf.Tensor2D): { z: tf.Tensor2D; kl: tf.Tensor1D } {
  const latent = eps.shape[0];
  const mean = tf.slice(head, [0, 0], [latent, -1]);
  const logVar = tf.slice(head, [latent, 0], [latent, -1]);
  return { z: reparameterize(mean, logVar, eps), kl: klToStandardNormal(tf.transpose(mean), tf.transpose(logVar)) };
}

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('fused latent block (wasm)', () => {
  const head = tf.randomNormal([10, 7], 0, 1.5, 'float32', 1) as tf.Tensor2D; // Z = 5, B = 7
  const eps = tf.randomNormal([5, 7], 0, 1, 'float32', 2) as tf.Tensor2D;
  const wz = tf.randomNormal([5, 7], 0, 1, 'float32', 3);
  const wkl = tf.randomNormal([7], 0, 1, 'float32', 4);

  it('is what the wasm backend runs', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(canFuseLatentSample()).toBe(true);
  });

  it('z and KL equal the stock ops', () => {
    const fused = sampleLatentColumns(head, eps);
    const stock = stockLatent(head, eps);
    expect(maxAbsDiff(fused.z, stock.z)).toBeLessThan(1e-5);
    expect(maxAbsDiff(fused.kl, stock.kl)).toBeLessThan(1e-4);
    expect(tf.tidy(() => tf.min(stock.kl).dataSync()[0])).toBeGreaterThan(0); // KL of a non-standard q
    tf.dispose([fused.z, fused.kl, stock.z, stock.kl]);
  });

  const losses: [string, (f: typeof stockLatent) => (h: tf.Tensor) => tf.Scalar][] = [
    ['z and KL', (f) => (h) => { const { z, kl } = f(h as tf.Tensor2D, eps); return tf.add(tf.sum(tf.mul(z, wz)), tf.sum(tf.mul(kl, wkl))); }],
    ['z only', (f) => (h) => tf.sum(tf.mul(f(h as tf.Tensor2D, eps).z, wz))],
    ['KL only', (f) => (h) => tf.sum(tf.mul(f(h as tf.Tensor2D, eps).kl, wkl))],
  ];
  for (const [name, loss] of losses) {
    it(`gradient with respect to the head equals autodiff (${name} in the loss)`, () => {
      const fused = tf.grad(loss(sampleLatentColumns))(head);
      const stock = tf.grad(loss(stockLatent))(head);
      expect(maxAbsDiff(fused, stock)).toBeLessThan(1e-4);
      expect(maxAbsDiff(stock, tf.zerosLike(stock))).toBeGreaterThan(0.01);
      tf.dispose([fused, stock]);
    });
  }

  it('leaks no tensors over many steps', () => {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 30; i++) {
      const { value, grad } = tf.valueAndGrad(losses[0][1](sampleLatentColumns))(head);
      tf.dispose([value, grad]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
