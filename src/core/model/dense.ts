/**
 * A dense layer whose gradient avoids the transposed matMul kernels.
 *
 * tfjs' own dense gradient computes dx = dy·Wᵀ and dW = xᵀ·dy with `matMul(..., transposeA/B)`,
 * which the wasm backend runs about 10x slower than a plain product (DESIGN.md §3). Here the
 * transpose is an explicit cheap copy followed by an untransposed `matMul`. The activation is
 * fused into the forward product and differentiated from the layer's output.
 */
import * as tf from '@tensorflow/tfjs';

/** Activations a fast dense layer supports. */
export type DenseActivation = 'linear' | 'relu' | 'elu' | 'tanh';

/** The weights of one dense layer. */
export interface DenseParams {
  /** [inputDim, units] */
  kernel: tf.Variable;
  /** [units] */
  bias: tf.Variable;
  activation: DenseActivation;
}

/** y = act(x·W + b) forward: x [B, in], W [in, out], b [out] -> [B, out]. */
function forward(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: DenseActivation): tf.Tensor2D {
  if (activation === 'tanh') return tf.tanh(tf.fused.matMul({ a: x, b: kernel, bias })) as tf.Tensor2D;
  return tf.fused.matMul({ a: x, b: kernel, bias, activation }) as tf.Tensor2D;
}

/** dL/d(pre-activation) from dL/dy and the output y: [B, out]. */
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

/** Gradients of W [in, out] and b [out] from x [B, in] and g = dL/d(pre-activation) [B, out]. */
function paramGrads(x: tf.Tensor2D, g: tf.Tensor2D): [tf.Tensor2D, tf.Tensor1D] {
  return [tf.matMul(tf.transpose(x), g), tf.sum(g, 0)];
}

/**
 * Applies a dense layer, differentiable with respect to x, W and b.
 * x: [B, in] -> [B, out].
 */
export function dense(x: tf.Tensor2D, p: DenseParams): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, kernel, bias] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const y = forward(xIn as tf.Tensor2D, kernel as tf.Tensor2D, bias as tf.Tensor1D, p.activation);
    save([xIn, kernel, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, w, ys] = saved as tf.Tensor2D[];
        const g = preActivationGrad(dy as tf.Tensor2D, ys, p.activation);
        const dx = tf.matMul(g, tf.transpose(w)); // [B, in]
        return [dx, ...paramGrads(xs, g)];
      },
    };
  });
  return op(x, p.kernel, p.bias) as tf.Tensor2D;
}

/**
 * Applies a dense layer to a constant input (the data batch): no gradient for x is computed,
 * which saves the largest product of the backward pass. x: [B, in] -> [B, out].
 */
export function denseOnConstant(x: tf.Tensor2D, p: DenseParams): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [kernel, bias] = args as tf.Tensor[];
    const save = args[2] as tf.GradSaveFunc;
    const y = forward(x, kernel as tf.Tensor2D, bias as tf.Tensor1D, p.activation);
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = preActivationGrad(dy as tf.Tensor2D, saved[0] as tf.Tensor2D, p.activation);
        return paramGrads(x, g);
      },
    };
  });
  return op(p.kernel, p.bias) as tf.Tensor2D;
}

/** The same layer computed with tfjs' stock ops and autodiff, as a reference. x: [B, in] -> [B, out]. */
export function denseReference(x: tf.Tensor2D, p: DenseParams): tf.Tensor2D {
  const pre = tf.add(tf.matMul(x, p.kernel), p.bias) as tf.Tensor2D;
  switch (p.activation) {
    case 'linear':
      return pre;
    case 'relu':
      return tf.relu(pre);
    case 'elu':
      return tf.elu(pre);
    case 'tanh':
      return tf.tanh(pre);
  }
}
