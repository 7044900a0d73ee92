import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { denseColumns, denseColumnsOnConstant } from '../../src/core/accelerator/dense';
import { stockOps, type Batch, type DenseActivation, type DenseParams } from '../../src/core/ops';

/** The stock layer (batch-major, tfjs autodiff), the reference: x [B, in] -> [B, out]. */
const denseReference = (x: tf.Tensor2D, p: DenseParams) => stockOps.dense(x as Batch, p) as tf.Tensor2D;

function params(inDim: number, outDim: number, activation: DenseActivation, seed: number): DenseParams {
  return {
    kernel: tf.variable(tf.randomNormal([inDim, outDim], 0, 0.5, 'float32', seed)),
    bias: tf.variable(tf.randomNormal([outDim], 0, 0.5, 'float32', seed + 1)),
    activation,
  };
}

async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.max(tf.abs(tf.sub(a, b)));
  const v = (await d.data())[0];
  d.dispose();
  return v;
}

/** The fast layer seen batch-major: x [B, in] -> [B, out]. */
const denseRows = (x: tf.Tensor2D, p: DenseParams) => tf.transpose(denseColumns(tf.transpose(x), p)) as tf.Tensor2D;

describe('fast feature-major dense layer (accelerator) against the stock layer', () => {
  for (const activation of ['linear', 'relu', 'elu', 'tanh'] as const) {
    it(`${activation}: value and gradients (x, W, b) equal tfjs autodiff`, async () => {
      const p = params(7, 5, activation, 3);
      const x = tf.randomNormal([4, 7], 0, 1, 'float32', 9) as tf.Tensor2D;
      const upstream = tf.randomNormal([4, 5], 0, 1, 'float32', 11);
      const loss = (f: typeof denseReference) => (xIn: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(f(xIn as tf.Tensor2D, { kernel: w as tf.Variable, bias: b as tf.Variable, activation }), upstream));
      const fast = tf.grads(loss(denseRows))([x, p.kernel, p.bias]);
      const reference = tf.grads(loss(denseReference))([x, p.kernel, p.bias]);
      expect(await maxAbsDiff(denseRows(x, p), denseReference(x, p))).toBeLessThan(1e-5);
      for (let i = 0; i < 3; i++) expect(await maxAbsDiff(fast[i], reference[i])).toBeLessThan(1e-4);
      // the gradients are not trivially zero
      expect(await maxAbsDiff(fast[1], tf.zerosLike(fast[1]))).toBeGreaterThan(0.01);
      tf.dispose([p.kernel, p.bias, x, upstream, ...fast, ...reference]);
    });
  }

  it('on a constant input gives the same weight gradients as autodiff', async () => {
    const p = params(6, 3, 'relu', 5);
    const x = tf.randomNormal([8, 6], 0, 1, 'float32', 2) as tf.Tensor2D;
    const xCols = tf.transpose(x) as tf.Tensor2D;
    const fast = tf.variableGrads(() => tf.sum(tf.square(denseColumnsOnConstant(xCols, p))), [p.kernel, p.bias]);
    const reference = tf.variableGrads(() => tf.sum(tf.square(denseReference(x, p))), [p.kernel, p.bias]);
    for (const name of Object.keys(reference.grads)) {
      expect(await maxAbsDiff(fast.grads[name], reference.grads[name])).toBeLessThan(1e-4);
    }
    tf.dispose([p.kernel, p.bias, x, xCols, fast.value, reference.value, ...Object.values(fast.grads), ...Object.values(reference.grads)]);
  });

  it('leaks no tensors over forward and backward passes', () => {
    const first = params(10, 4, 'relu', 1);
    const second = params(4, 4, 'tanh', 2);
    const xCols = tf.randomNormal([10, 3]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      const { value, grads } = tf.variableGrads(() => tf.sum(denseColumns(denseColumnsOnConstant(xCols, first), second)));
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([first.kernel, first.bias, second.kernel, second.bias, xCols]);
  });
});
