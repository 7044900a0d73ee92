import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { canSkipZeroInputs, sparseInputProduct, sparseInputWeightGrad } from '../../src/core/accelerator/sparse-input';
import { denseColumnsOnConstant, denseOnSparseRows } from '../../src/core/accelerator/dense';
import { acceleratedOps } from '../../src/core/accelerator';
import { setTrainingOps, stockOps, trainingOps, type Batch, type DenseParams } from '../../src/core/ops';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import { nonZeroFraction, takeFirst } from '../../src/core/data/dataset';
import { makeConfig } from '../../src/core/model/config';
import { Vae } from '../../src/core/model/vae';
import { Trainer } from '../../src/core/train/trainer';

/** x [rows, cols] with about `density` of its entries non-zero, in (0, 1], like MNIST pixels. */
function sparseBatch(rows: number, cols: number, density: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const keep = tf.less(tf.randomUniform([rows, cols], 0, 1, 'float32', seed), density);
    return tf.where(keep, tf.randomUniform([rows, cols], 0.01, 1, 'float32', seed + 1), tf.zeros([rows, cols])) as tf.Tensor2D;
  });
}

async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.max(tf.abs(tf.sub(a, b)));
  const v = (await d.data())[0];
  d.dispose();
  return v;
}

describe('sparse-input kernels (wasm)', () => {
  it('runs on the wasm backend for layers of a multiple of 4 units', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(canSkipZeroInputs(400)).toBe(true);
    expect(canSkipZeroInputs(2)).toBe(false); // rows of 128-bit SIMD: not for 2 units
  });

  it('equal the dense products, with zeros skipped, an odd batch and all-zero examples', async () => {
    const x = sparseBatch(37, 50, 0.2, 4); // [B, D]
    const xWithEmptyRows = tf.concat([x, tf.zeros([3, 50])]) as tf.Tensor2D; // examples without ink
    const w = tf.randomNormal([50, 12], 0, 1, 'float32', 5) as tf.Tensor2D; // [D, U]
    const g = tf.randomNormal([12, 40], 0, 1, 'float32', 6) as tf.Tensor2D; // [U, B]
    const gRows = tf.transpose(g) as tf.Tensor2D; // [B, U]
    const before = tf.memory().numTensors;
    const product = sparseInputProduct(xWithEmptyRows, w); // [U, B]
    const weightGrad = sparseInputWeightGrad(xWithEmptyRows, gRows); // [D, U]
    expect(tf.memory().numTensors).toBe(before + 2); // the scratch buffers are freed
    expect(product.shape).toEqual([12, 40]);
    expect(weightGrad.shape).toEqual([50, 12]);
    const denseProduct = tf.transpose(tf.matMul(xWithEmptyRows, w));
    const denseWeightGrad = tf.matMul(xWithEmptyRows, g, true, true);
    expect(await maxAbsDiff(product, denseProduct)).toBeLessThan(1e-4);
    expect(await maxAbsDiff(weightGrad, denseWeightGrad)).toBeLessThan(1e-4);
    expect(await maxAbsDiff(product, tf.zerosLike(product))).toBeGreaterThan(0.5);
    tf.dispose([x, xWithEmptyRows, w, g, gRows, product, weightGrad, denseProduct, denseWeightGrad]);
  });

  it('NaN pixels reach the output (a corrupt batch is not hidden)', async () => {
    const x = tf.tensor2d([[0, NaN, 0, 0]]);
    const w = tf.ones([4, 4]) as tf.Tensor2D;
    const out = await sparseInputProduct(x, w).data();
    expect(Array.from(out).every(Number.isNaN)).toBe(true);
    tf.dispose([x, w]);
  });

  for (const activation of ['relu', 'tanh'] as const) {
    it(`${activation}: the layer on sparse rows equals the dense layer, value and weight gradients`, async () => {
      const p: DenseParams = {
        kernel: tf.variable(tf.randomNormal([64, 20], 0, 0.3, 'float32', 7)),
        bias: tf.variable(tf.randomNormal([20], 0, 0.3, 'float32', 8)),
        activation,
      };
      const xRows = sparseBatch(16, 64, 0.25, 9);
      const xCols = tf.transpose(xRows) as tf.Tensor2D;
      const loss = (layer: () => tf.Tensor) => () => tf.sum(tf.square(tf.sub(layer(), 0.3))) as tf.Scalar;
      const sparse = tf.variableGrads(loss(() => denseOnSparseRows(xRows, p)), [p.kernel, p.bias]);
      const dense = tf.variableGrads(loss(() => denseColumnsOnConstant(xCols, p)), [p.kernel, p.bias]);
      const reference = tf.tidy(() => tf.transpose(stockOps.dense(xRows as Batch, p)));
      expect(await maxAbsDiff(tf.tidy(() => denseOnSparseRows(xRows, p)), reference)).toBeLessThan(1e-5);
      for (const name of [p.kernel.name, p.bias.name]) expect(await maxAbsDiff(sparse.grads[name], dense.grads[name])).toBeLessThan(1e-4);
      expect(await maxAbsDiff(sparse.grads[p.kernel.name], tf.zerosLike(p.kernel))).toBeGreaterThan(0.01);
      tf.dispose([p.kernel, p.bias, xRows, xCols, reference, sparse.value, dense.value, ...Object.values(sparse.grads), ...Object.values(dense.grads)]);
    });
  }

  it('leaks no tensors over many forward and backward passes', () => {
    const p: DenseParams = { kernel: tf.variable(tf.randomNormal([30, 8])), bias: tf.variable(tf.zeros([8])), activation: 'relu' };
    const xRows = sparseBatch(10, 30, 0.2, 1);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 30; i++) {
      const { value, grads } = tf.variableGrads(() => tf.sum(denseOnSparseRows(xRows, p)), [p.kernel, p.bias]);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([p.kernel, p.bias, xRows]);
  });

  it('nonZeroFraction measures how sparse a dataset is', () => {
    const images = new Float32Array([0, 0.5, 0, 0, 1, 0, 0, 0]);
    expect(nonZeroFraction({ images, labels: new Uint8Array(2), count: 2, imageShape: [2, 2, 1] })).toBe(0.25);
    expect(nonZeroFraction({ images, labels: new Uint8Array(2), count: 2, imageShape: [2, 2, 1] }, 1)).toBe(0.25);
    expect(nonZeroFraction({ images: new Float32Array(0), labels: new Uint8Array(0), count: 0, imageShape: [2, 2, 1] })).toBe(0);
  });

  it('a VAE on real MNIST digits: the same loss and gradients with the sparse first layer (accelerated ops) as on stock ops', async () => {
    const mnist = await loadDatasetFromDir();
    expect(nonZeroFraction(mnist.train)).toBeLessThan(0.25); // MNIST is mostly background
    const vae = Vae.create(makeConfig({ hidden: [64], latentDim: 4, seed: 5 }));
    const x = tf.tensor2d(mnist.test.images.subarray(0, 32 * 784), [32, 784]);
    const eps = tf.randomNormal([32, 4], 0, 1, 'float32', 3) as tf.Tensor2D;
    const before = trainingOps();
    const lossOn = (ops: typeof stockOps) => {
      setTrainingOps(ops);
      try {
        return tf.variableGrads(() => {
          const terms = vae.lossTerms(x, eps);
          return tf.mean(tf.add(terms.reconstruction, terms.kl)) as tf.Scalar;
        });
      } finally {
        setTrainingOps(before);
      }
    };
    const profile = await tf.profile(() => tf.tidy(() => tf.dispose(Object.values(lossOn(acceleratedOps).grads))));
    expect(profile.kernelNames).toContain('VaeSparseInputWeightGrad');
    const sparse = lossOn(acceleratedOps);
    const stock = lossOn(stockOps);
    expect(await maxAbsDiff(sparse.value, stock.value)).toBeLessThan(1e-3);
    for (const name of Object.keys(stock.grads)) expect(await maxAbsDiff(sparse.grads[name], stock.grads[name])).toBeLessThan(1e-3);
    tf.dispose([x, eps, sparse.value, stock.value, ...Object.values(sparse.grads), ...Object.values(stock.grads)]);
    vae.dispose();
  });

  it('the trainer on accelerated ops uses the sparse kernels on MNIST, not on dense images', async () => {
    const mnist = await loadDatasetFromDir();
    const before = trainingOps();
    setTrainingOps(acceleratedOps);
    const kernelsOfAStep = async (train: typeof mnist.train) => {
      const vae = Vae.create(makeConfig({ hidden: [32], latentDim: 2 }));
      const trainer = new Trainer(vae, train);
      const profile = await tf.profile(async () => {
        trainer.trainStep();
        await trainer.readMetrics();
      });
      trainer.dispose();
      vae.dispose();
      return new Set(profile.kernels.map((k) => k.name));
    };
    const digits = takeFirst(mnist.train, 512);
    expect(await kernelsOfAStep(digits)).toContain('VaeSparseInputForward');
    const noisy = { ...digits, images: digits.images.map((v, i) => (v === 0 ? ((i * 7919) % 97) / 97 + 0.01 : v)) };
    expect(nonZeroFraction(noisy)).toBeGreaterThan(0.9);
    const dense = await kernelsOfAStep(noisy);
    setTrainingOps(before);
    expect(dense).not.toContain('VaeSparseInputForward');
    expect(dense).toContain('BatchMatMul');
  });
});
