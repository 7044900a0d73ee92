/**
 * 2-D convolutions with 'same' padding whose gradients use only ops every tfjs backend has. tfjs-wasm
 * 4.22 has no `Conv2DBackpropFilter`, so the filter's gradient is written out here: it is itself a
 * correlation of the layer's input with the output gradient, computed as im2col (one strided slice
 * per kernel tap) and one matrix product. The input's gradient is the other convolution of the pair
 * (conv2d <-> conv2dTranspose), which every backend has. Layout NHWC, filters as Keras stores them.
 */
import * as tf from '../tf';

/** The top/left padding of 'same' for one axis: input size, output size, kernel size, stride -> [before, after]. */
function samePadding(size: number, outSize: number, kernel: number, stride: number): [number, number] {
  const total = Math.max((outSize - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * The filter gradient of y = conv2d(x, W, stride, 'same'): x [B, H, W, C], dy [B, Ho, Wo, O] ->
 * dW [kh, kw, C, O], with dW[i, j, c, o] = sum over b, u, v of xPadded[b, u*s + i, v*s + j, c] * dy[b, u, v, o].
 */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, kernel: [number, number], stride: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, height, width, channels] = x.shape;
    const [, outH, outW, outC] = dy.shape;
    const [kh, kw] = kernel;
    const padded = tf.pad(x, [[0, 0], samePadding(height, outH, kh, stride), samePadding(width, outW, kw, stride), [0, 0]]);
    const taps: tf.Tensor4D[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        // the input pixels kernel tap (i, j) meets at every output position: [B, Ho, Wo, C]
        const end = [batch, i + (outH - 1) * stride + 1, j + (outW - 1) * stride + 1, channels];
        taps.push(tf.stridedSlice(padded, [0, i, j, 0], end, [1, stride, stride, 1]) as tf.Tensor4D);
      }
    }
    const patches = tf.reshape(tf.stack(taps, 3), [batch * outH * outW, kh * kw * channels]); // im2col [B*Ho*Wo, kh*kw*C]
    const grads = tf.reshape(dy, [batch * outH * outW, outC]); // [B*Ho*Wo, O]
    // An explicit transpose then a plain product: wasm's transposed matMul is slow (README, Speed).
    const dW = tf.matMul(tf.transpose(patches), grads); // [kh*kw*C, O]
    return tf.reshape(dW, [kh, kw, channels, outC]);
  });
}

/** conv2d(x, W, stride, 'same'): x [B, H, W, C], W [kh, kw, C, O] -> [B, ceil(H/s), ceil(W/s), O]; differentiable on every backend. */
export function conv2dSame(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, w, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([input, w]);
    return {
      value: tf.conv2d(input, w, stride, 'same'),
      gradFunc: (dy: tf.Tensor, [xs, ws]: tf.Tensor[]) => {
        const g = dy as tf.Tensor4D;
        const w4 = ws as tf.Tensor4D;
        const dx = tf.conv2dTranspose(g, w4, (xs as tf.Tensor4D).shape, stride, 'same'); // [B, H, W, C]
        return [dx, conv2dFilterGrad(xs as tf.Tensor4D, g, [w4.shape[0], w4.shape[1]], stride)];
      },
    };
  });
  return op(x, filter) as tf.Tensor4D;
}

/**
 * The transposed convolution of Keras' Conv2DTranspose with 'same' padding: x [B, h, w, C],
 * W [kh, kw, O, C] -> [B, h*s, w*s, O]; differentiable on every backend.
 */
export function conv2dTransposeSame(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number): tf.Tensor4D {
  const [batch, h, w] = x.shape;
  const outShape: [number, number, number, number] = [batch, h * stride, w * stride, filter.shape[2]];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, wt, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([input, wt]);
    return {
      value: tf.conv2dTranspose(input, wt, outShape, stride, 'same'),
      gradFunc: (dy: tf.Tensor, [xs, ws]: tf.Tensor[]) => {
        const g = dy as tf.Tensor4D; // [B, h*s, w*s, O]
        const w4 = ws as tf.Tensor4D;
        // y is the adjoint of conv2d(., W): so dx = conv2d(dy, W) and dW is conv2d's filter gradient with dy as its input.
        const dx = tf.conv2d(g, w4, stride, 'same'); // [B, h, w, C]
        return [dx, conv2dFilterGrad(g, xs as tf.Tensor4D, [w4.shape[0], w4.shape[1]], stride)];
      },
    };
  });
  return op(x, filter) as tf.Tensor4D;
}
