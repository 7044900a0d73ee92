/**
 * Dense layers computed feature-major (activations [features, B]) so that no product makes the
 * wasm backend repack a weight matrix or run a transposed matMul kernel (README, Speed).
 *
 * The wasm backend (XNNPACK) re-packs the right-hand operand of every product whose tensor it
 * has not seen before: for a weight that changes every step that costs more than the product.
 * Its transposed kernels (`transposeA/B`) are ~10x slower than plain products. Feature-major,
 * the only right-hand operands are activations and gradients (batch-sized), weights stay on
 * the left, and the one transpose per layer is of the weight, done as an explicit copy (with
 * gemm.ts, which reads Wᵀ in place, of the gradient G instead):
 *
 *   forward   Y  = act(Wᵀ·X + b)        X [in, B], W [in, out], Y [out, B]
 *   backward  dW = X·Gᵀ,  db = Σ_B G,  dX = W·G    with G = dL/d(pre-activation) [out, B]
 */
import * as tf from '../tf';
import { activate } from '../ops/stock';
import type { DenseActivation, DenseWeights } from '../ops/training-ops';
import { canFuseBiasActivation, fusedBiasActivation, fusedReluGrad } from './activation';
import { matMulOpA } from './gemm';
import { sparseInputProduct, sparseInputWeightGrad } from './sparse-input';
import { transpose2d } from './transpose';

/** act(pre + b) feature-major: pre [out, B], b [out] -> [out, B]. One wasm kernel for linear and ReLU. */
function biasAndActivate(pre: tf.Tensor2D, bias: tf.Tensor1D, activation: DenseActivation): tf.Tensor2D {
  if ((activation === 'linear' || activation === 'relu') && canFuseBiasActivation(pre.shape[1])) return fusedBiasActivation(pre, bias, activation === 'relu');
  return activate(tf.add(pre, tf.reshape(bias, [-1, 1])) as tf.Tensor2D, activation);
}

/** act(Wᵀ·X + b): X [in, B] -> [out, B]. */
function forward(xCols: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: DenseActivation): tf.Tensor2D {
  return biasAndActivate(matMulOpA(kernel, xCols, true), bias, activation); // [out, B]
}

/** dL/d(pre-activation) from dL/dY and the output Y: [out, B]. */
function preActivationGrad(dy: tf.Tensor2D, y: tf.Tensor2D, activation: DenseActivation): tf.Tensor2D {
  switch (activation) {
    case 'linear':
      return dy;
    case 'relu':
      return tf.mul(dy, tf.step(y));
    case 'elu': // d elu = 1 for y > 0, else y + 1
      return tf.mul(dy, tf.where(tf.greater(y, 0), tf.onesLike(y), tf.add(y, 1)));
    case 'tanh':
      return tf.mul(dy, tf.sub(1, tf.square(y)));
  }
}

/** G = dL/d(pre-activation) [out, B] and db = Σ_B G [out], from dL/dY and the output Y. One wasm kernel for ReLU. */
function backThroughActivation(dy: tf.Tensor2D, y: tf.Tensor2D, activation: DenseActivation): { g: tf.Tensor2D; db: tf.Tensor1D } {
  if (activation === 'relu' && canFuseBiasActivation(y.shape[1])) return fusedReluGrad(dy, y);
  const g = preActivationGrad(dy, y, activation);
  return { g, db: tf.sum(g, 1) };
}

/** dW [in, out] = X·Gᵀ from X [in, B] and G [out, B]. */
function weightGrad(xCols: tf.Tensor2D, g: tf.Tensor2D): tf.Tensor2D {
  return matMulOpA(xCols, transpose2d(g));
}

/** A dense layer on feature-major activations, differentiable in X, W and b: X [in, B] -> [out, B]. */
export function denseColumns(xCols: tf.Tensor2D, p: DenseWeights): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, kernel, bias] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const y = forward(x as tf.Tensor2D, kernel as tf.Tensor2D, bias as tf.Tensor1D, p.activation);
    save([x, kernel, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, w, ys] = saved as tf.Tensor2D[];
        const { g, db } = backThroughActivation(dy as tf.Tensor2D, ys, p.activation);
        return [matMulOpA(w, g), weightGrad(xs, g), db]; // dX = W·G [in, B]
      },
    };
  });
  return op(xCols, p.kernel, p.bias) as tf.Tensor2D;
}

/**
 * The same layer on a constant input (the data batch): the gradient for X, the largest product
 * of the backward pass, is not computed. X [in, B] -> [out, B].
 */
export function denseColumnsOnConstant(xCols: tf.Tensor2D, p: DenseWeights): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [kernel, bias] = args as tf.Tensor[];
    const save = args[2] as tf.GradSaveFunc;
    const y = forward(xCols, kernel as tf.Tensor2D, bias as tf.Tensor1D, p.activation);
    save([y, xCols]); // saved, so X outlives the forward scope even when it was made inside it
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [ys, xs] = saved as tf.Tensor2D[];
        const { g, db } = backThroughActivation(dy as tf.Tensor2D, ys, p.activation);
        return [weightGrad(xs, g), db];
      },
    };
  });
  return op(p.kernel, p.bias) as tf.Tensor2D;
}

/**
 * The same layer on the data batch given batch-major, its zero pixels skipped by the wasm kernels of
 * sparse-input.ts (check `canSkipZeroInputs(units)` first): X [B, in] -> [out, B]. Equals
 * `denseColumnsOnConstant(Xᵀ, p)`, without the two dense 784-wide products and the kernel transpose.
 */
export function denseOnSparseRows(xRows: tf.Tensor2D, p: DenseWeights): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [kernel, bias] = args as tf.Tensor[];
    const save = args[2] as tf.GradSaveFunc;
    const y = biasAndActivate(sparseInputProduct(xRows, kernel as tf.Tensor2D), bias as tf.Tensor1D, p.activation); // [out, B]
    save([y, xRows]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [ys, xs] = saved as tf.Tensor2D[];
        const { g, db } = backThroughActivation(dy as tf.Tensor2D, ys, p.activation); // [out, B], [out]
        return [sparseInputWeightGrad(xs, transpose2d(g)), db]; // Gᵀ [B, out]
      },
    };
  });
  return op(p.kernel, p.bias) as tf.Tensor2D;
}
