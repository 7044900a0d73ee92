/**
 * The training ops with this folder's wasm kernels. Batches are feature-major ([features, B]; dense.ts
 * says why that is fast on tfjs-wasm), and each op runs its kernels where they apply:
 *  - the data batch keeps its batch-major original, so that the first layer can skip zero pixels
 *    (sparse-input.ts) and never computes a gradient for the data;
 *  - the encoder's two heads run as one layer, their weights joined (columns.ts): one product, not two;
 *  - the latent block and the Bernoulli loss are one fused kernel each, with their gradients;
 *  - Adam updates each variable and its moments in place in one SIMD pass (fused-adam.ts).
 * Where a kernel cannot serve (another backend, a shape it does not take) the op falls back to stock
 * tfjs in the same layout, so these ops work on any backend; ../ops/stock.ts is the reference.
 */
import * as tf from '../tf';
import { adamUpdate } from '../ops/stock';
import type { Batch, DenseWeights, Gaussian, TrainingOps } from '../ops/training-ops';
import { concatColumns } from './columns';
import { denseColumns, denseColumnsOnConstant, denseOnSparseRows } from './dense';
import { bernoulliNllColumns, gaussianNllColumns, sampleLatentColumns, splitLatentHead } from './elbo';
import { FusedAdam } from './fused-adam';
import { wakeHelperThread } from './helper-thread';
import { canSkipZeroInputs, sparseInputPays } from './sparse-input';
import { transpose2d } from './transpose';
import { activeWasmBackend } from './wasm-heap';

/** The data batches made by `data`, by their feature-major tensor: the batch-major original, and whether to skip its zeros. */
const dataBatches = new WeakMap<tf.Tensor, { rows: tf.Tensor2D; sparse: boolean }>();

/** Every 13th value of a batch is enough to tell MNIST-like images (a fifth non-zero) from dense ones. */
const SPARSITY_STRIDE = 13;

/** The fraction of non-zero values of a float32 tensor on the wasm heap (read in place, from a sample); 1 elsewhere. */
function nonZeroFraction(t: tf.Tensor2D): number {
  const backend = activeWasmBackend();
  if (!backend || t.dtype !== 'float32' || t.size === 0) return 1;
  const values = backend.typedArrayFromHeap(t);
  let nonZero = 0;
  let seen = 0;
  for (let i = 0; i < values.length; i += SPARSITY_STRIDE, seen++) if (values[i] !== 0) nonZero++;
  return nonZero / seen;
}

/** q(z|x) as the merged head [2Z, B] (mean rows, then log-variance rows); the two halves are sliced only when read. */
class MergedHead implements Gaussian {
  private halves: { mean: tf.Tensor2D; logVar: tf.Tensor2D } | null = null;

  constructor(readonly head: tf.Tensor2D) {}

  get mean(): Batch {
    return (this.halves ??= splitLatentHead(this.head)).mean as Batch;
  }

  get logVar(): Batch {
    return (this.halves ??= splitLatentHead(this.head)).logVar as Batch;
  }
}

const asBatch = (t: tf.Tensor2D) => t as Batch;

/** The accelerated ops (feature-major); `startKernels` in index.ts chooses them on the wasm backend. */
export const acceleratedOps: TrainingOps = {
  kind: 'accelerated',
  batch: (rows) => asBatch(transpose2d(rows)),
  data(rows) {
    const cols = transpose2d(rows); // [D, B]
    dataBatches.set(cols, { rows, sparse: sparseInputPays(nonZeroFraction(rows)) });
    return asBatch(cols);
  },
  rows: (batch) => transpose2d(batch),
  dense(x, layer) {
    const data = dataBatches.get(x);
    if (!data) return asBatch(denseColumns(x, layer));
    if (data.sparse && canSkipZeroInputs(layer.kernel.shape[1] ?? 0)) return asBatch(denseOnSparseRows(data.rows, layer));
    return asBatch(denseColumnsOnConstant(x, layer));
  },
  gaussianHeads(h, mean, logVar) {
    if (mean.activation !== logVar.activation) return { mean: acceleratedOps.dense(h, mean), logVar: acceleratedOps.dense(h, logVar) };
    // One layer of both heads' weights side by side; the join's gradient splits back to each head's variables.
    const merged: DenseWeights = {
      kernel: concatColumns(mean.kernel as tf.Tensor2D, logVar.kernel as tf.Tensor2D), // [H, 2Z]
      bias: tf.concat([mean.bias, logVar.bias]), // [2Z]
      activation: mean.activation,
    };
    return new MergedHead(acceleratedOps.dense(h, merged)); // [2Z, B]
  },
  sampleLatent(q, eps) {
    const head = q instanceof MergedHead ? q.head : (tf.concat([q.mean, q.logVar], 0) as tf.Tensor2D); // [2Z, B]
    const { z, kl } = sampleLatentColumns(head, eps);
    return { z: asBatch(z), kl };
  },
  reconstructionNll: (logits, x, likelihood, gaussianVariance) =>
    likelihood === 'bernoulli' ? bernoulliNllColumns(logits, x) : gaussianNllColumns(logits, x, gaussianVariance),
  adamUpdate(slots, step) {
    const fused = FusedAdam.forActiveBackend();
    for (const slot of slots) {
      if (!fused?.apply(slot.variable, slot.grad, slot.m, slot.v, step)) adamUpdate(slot, step);
    }
  },
  // The step's first shared kernel then finds the helper thread polling, not asleep.
  beginStep: wakeHelperThread,
};
