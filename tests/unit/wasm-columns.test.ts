import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { concatColumns } from '../../src/core/accelerator/columns';

describe('joining columns (wasm, over the heap)', () => {
  it('equals tf.concat on axis 1, and its gradient splits dy the way tf.concat does', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const a = tf.randomNormal([400, 20], 0, 1, 'float32', 1) as tf.Tensor2D;
    const b = tf.randomNormal([400, 12], 0, 1, 'float32', 2) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const joined = concatColumns(a, b);
    expect(tf.memory().numTensors).toBe(before + 1);
    const stock = tf.concat([a, b], 1);
    expect(joined.shape).toEqual([400, 32]);
    expect(Array.from(joined.dataSync())).toEqual(Array.from(stock.dataSync()));

    const weights = tf.randomNormal([400, 32], 0, 1, 'float32', 3);
    const lossOf = (join: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(join(x as tf.Tensor2D, y as tf.Tensor2D), weights));
    const [da, db] = tf.grads(lossOf(concatColumns))([a, b]);
    const [stockDa, stockDb] = tf.grads(lossOf((x, y) => tf.concat([x, y], 1)))([a, b]);
    expect(Array.from(da.dataSync())).toEqual(Array.from(stockDa.dataSync()));
    expect(Array.from(db.dataSync())).toEqual(Array.from(stockDb.dataSync()));
    const profile = await tf.profile(() => tf.dispose(tf.grads(lossOf(concatColumns))([a, b])));
    expect(profile.kernelNames).toContain('VaeConcatColumns');
    expect(profile.kernelNames).toContain('VaeSliceColumns');
    expect(profile.kernelNames).not.toContain('Concat');
    tf.dispose([a, b, joined, stock, weights, da, db, stockDa, stockDb]);
  });

  it('refuses matrices of different heights in words', () => {
    const a = tf.zeros([3, 2]) as tf.Tensor2D;
    const b = tf.zeros([4, 2]) as tf.Tensor2D;
    expect(() => concatColumns(a, b)).toThrow(/different row counts/);
    tf.dispose([a, b]);
  });
});
