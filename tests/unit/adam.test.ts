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
});
