/**
 * 2-D convolutions with 'same' padding whose gradients use only ops every tfjs backend has, and run
 * fast on tfjs-wasm. tfjs-wasm 4.22 has no `Conv2DBackpropFilter`, and its `Conv2DBackpropInput`
 * (the transposed convolution) is a slow loop, while its `Conv2D` (XNNPACK) is fast; so both are
 * written here as a Conv2D: the filter gradient is a correlation of the layer's input with the output
 * gradient (batch as channels, dilated by the stride), and the transposed convolution is a
 * correlation of the zero-stuffed input with the flipped filter. Layout NHWC, filters as Keras stores them.
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
 * dW [kh, kw, C, O], with dW[i, j, c, o] = sum over b, u, v of xPadded[b, u*s + i, v*s + j, c] * dy[b, u, v, o]:
 * a 'valid' conv2d of xPadded as [C, Hp, Wp, B] with dy as the filter [Ho, Wo, B, O], dilated by s.
 */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, kernel: [number, number], stride: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, height, width] = x.shape;
    const [, outH, outW] = dy.shape;
    const [kh, kw] = kernel;
    const padded = tf.pad(x, [[0, 0], samePadding(height, outH, kh, stride), samePadding(width, outW, kw, stride), [0, 0]]);
    const images = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D; // [C, Hp, Wp, B]: the channels as the batch
    const filter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [Ho, Wo, B, O]: the batch as input channels
    const dW = tf.conv2d(images, filter, 1, 'valid', 'NHWC', stride); // [C, kh, kw, O]
    return tf.transpose(dW, [1, 2, 0, 3]);
  });
}

/**
 * x [B, h, w, C] with stride - 1 zeros after each pixel along both spatial axes -> [B, h*s, w*s, C].
 * Two rank-4 pads (tfjs-webgl's pad shader compiles only up to rank 4): along the width with x read as
 * [B*h, w, 1, C], then along the height with it read as [B, h, 1, w*s*C].
 */
function zeroStuff(x: tf.Tensor4D, stride: number): tf.Tensor4D {
  const [batch, h, w, channels] = x.shape;
  const wide = tf.pad(tf.reshape(x, [batch * h, w, 1, channels]), [[0, 0], [0, 0], [0, stride - 1], [0, 0]]); // [B*h, w, s, C]
  const rows = tf.reshape(wide, [batch, h, 1, w * stride * channels]);
  const tall = tf.pad(rows, [[0, 0], [0, 0], [0, stride - 1], [0, 0]]); // [B, h, s, w*s*C]
  return tf.reshape(tall, [batch, h * stride, w * stride, channels]);
}

/**
 * The transposed convolution (the input gradient of conv2d(., W, stride, 'same')) as a plain conv2d:
 * x [B, h, w, C], W [kh, kw, O, C] -> [B, H, W, O]. x is stuffed with stride - 1 zeros between pixels,
 * padded, and correlated with W flipped in space and its channel axes swapped.
 */
export function conv2dTransposeByConv(x: tf.Tensor4D, filter: tf.Tensor4D, outShape: [number, number, number, number], stride: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, h, w, channels] = x.shape;
    const [kh, kw] = filter.shape;
    const [, outH, outW] = outShape;
    const stuffed = stride === 1 ? x : zeroStuff(x, stride); // [B, h*s, w*s, C]
    // Each axis: kernel - 1 - padBefore before, and what makes the output outSize long after (the stuffing already added stride - 1).
    const axisPad = (size: number, outSize: number, k: number): [number, number] => {
      const before = k - 1 - samePadding(outSize, size, k, stride)[0];
      return [before, outSize + k - 1 - before - size * stride];
    };
    const [top, bottom] = axisPad(h, outH, kh);
    const [left, right] = axisPad(w, outW, kw);
    const crop = bottom < 0 || right < 0; // a copy of the whole batch otherwise: slow on wasm
    const cropped = crop ? tf.slice(stuffed, [0, 0, 0, 0], [batch, h * stride + Math.min(bottom, 0), w * stride + Math.min(right, 0), channels]) : stuffed;
    const padded = tf.pad(cropped, [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]]);
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, C, O]
    return tf.conv2d(padded as tf.Tensor4D, flipped, 1, 'valid');
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
        const dx = conv2dTransposeByConv(g, w4, (xs as tf.Tensor4D).shape, stride); // [B, H, W, C]
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
      value: conv2dTransposeByConv(input, wt, outShape, stride),
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
