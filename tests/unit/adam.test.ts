import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Adam } from '../../src/core/train/adam';
import { KERNELS, useKernels } from './support/kernels';

describe.each(KERNELS)('Adam on %s ops', (kernels) => {
  useKernels(kernels);

  it('takes the same steps as tf.train.adam', () => {
    const target = tf.tensor1d([3, -2, 0.5, 10]);
    const ours = tf.variable(tf.tensor1d([0, 0, 1, -1]));
    const theirs = tf.variable(tf.tensor1d([0, 0, 1, -1]));
    const adam = new Adam();
    const reference = tf.train.adam(0.05);
    const loss = (v: tf.Variable) => () => tf.sum(tf.square(tf.sub(v, target))) as tf.Scalar;
    for (let i = 0; i < 30; i++) {
      const { grads, value } = tf.variableGrads(loss(ours), [ours]);
      adam.apply([ours], [grads[ours.name]], 0.05);
      tf.dispose([value, grads[ours.name]]);
      reference.minimize(loss(theirs), false, [theirs]);
    }
    const diff = tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0];
    expect(diff).toBeLessThan(1e-4); // float32 rounding of an equivalent formula
    // and it actually moved toward the target
    expect(Math.abs(ours.dataSync()[0] - 0)).toBeGreaterThan(1);
    expect(adam.iterations).toBe(30);
    adam.dispose();
    reference.dispose();
    tf.dispose([target, ours, theirs]);
  });

  it('reset zeroes the moments and leaks nothing', () => {
    const v = tf.variable(tf.ones([5]));
    const adam = new Adam();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) tf.tidy(() => adam.apply([v], [tf.onesLike(v)], 0.1));
    expect(tf.memory().numTensors).toBe(before + 2); // m and v
    adam.reset();
    expect(adam.iterations).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    v.dispose();
  });
});

describe('Adam fused in place (wasm backend)', () => {
  useKernels('accelerated');

  it('updates the weights where they lie, equal to the kernel path, and leaves shared memory alone', () => {
    expect(tf.getBackend()).toBe('wasm');
    const start = tf.randomNormal([301, 7], 0, 1, 'float32', 3); // 2107 elements: the SIMD loop and a tail of 3
    const inPlace = tf.variable(start.clone());
    const kernels = tf.variable(start.clone());
    const a = new Adam();
    const b = new Adam();
    const loss = (v: tf.Variable) => () => tf.sum(tf.square(tf.sub(tf.mul(v, v), 0.5))) as tf.Scalar;
    const ids: object[] = [];
    for (let i = 0; i < 20; i++) {
      const ga = tf.variableGrads(loss(inPlace), [inPlace]);
      a.apply([inPlace], [ga.grads[inPlace.name]], 0.01);
      ids.push(inPlace.dataId);
      // The first update of `kernels` finds its memory shared with the tensor it was made from and goes
      // through kernels; every update must leave the snapshot taken before it as it was.
      const gb = tf.variableGrads(loss(kernels), [kernels]);
      const snapshot = tf.clone(kernels);
      const before = snapshot.dataSync().slice();
      b.apply([kernels], [gb.grads[kernels.name]], 0.01);
      expect(snapshot.dataSync()).toEqual(before);
      tf.dispose([ga.value, ga.grads[inPlace.name], gb.value, gb.grads[kernels.name], snapshot]);
    }
    // After the first step (the moments then own their memory) the variable keeps its memory: updated in place.
    expect(new Set(ids.slice(1)).size).toBe(1);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(inPlace, kernels))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-5);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(inPlace, start))).dataSync()[0])).toBeGreaterThan(0.05);
    a.dispose();
    b.dispose();
    tf.dispose([start, inPlace, kernels]);
  });

  it('the next conv and product see a weight updated in place (no stale operator cached by tfjs-wasm)', () => {
    // A weight with memory of its own, as a trained layer's kernel is after its first update.
    const owned = (t: tf.Tensor) => {
      const v = tf.variable(t);
      t.dispose();
      return v;
    };
    const filter = owned(tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 5)); // [kh, kw, C, O]
    const kernel = owned(tf.randomNormal([6, 5], 0, 1, 'float32', 6)); // [in, out]
    const images = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 7) as tf.Tensor4D; // [B, H, W, C]
    const rows = tf.randomNormal([3, 6], 0, 1, 'float32', 8) as tf.Tensor2D; // [B, in]
    const run = () => tf.tidy(() => [tf.conv2d(images, filter as tf.Tensor4D, 2, 'same'), tf.matMul(rows, kernel as tf.Tensor2D)].map((t) => Array.from(t.dataSync())));
    const fresh = () => tf.tidy(() => [tf.conv2d(images, filter.clone() as tf.Tensor4D, 2, 'same'), tf.matMul(rows, kernel.clone() as tf.Tensor2D)].map((t) => Array.from(t.dataSync())));
    const adam = new Adam();
    const ids = [filter.dataId, kernel.dataId];
    for (let i = 0; i < 3; i++) {
      const before = run(); // the backend may cache an operator for each weight here
      tf.tidy(() => adam.apply([filter, kernel], [tf.onesLike(filter), tf.onesLike(kernel)], 0.5));
      const after = run();
      if (i > 0) expect([filter.dataId, kernel.dataId]).toEqual(ids); // in place (the first update gives the moments their memory)
      after.forEach((values, k) => {
        expect(values, `output ${k} at update ${i}`).not.toEqual(before[k]);
        expect(values, `output ${k} at update ${i}`).toEqual(fresh()[k]);
      });
    }
    adam.dispose();
    tf.dispose([filter, kernel, images, rows]);
  });
});
