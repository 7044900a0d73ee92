/**
 * 2-D convolutions with 'same' padding whose gradients use only ops every tfjs backend has, and run
 * fast on tfjs-wasm. tfjs-wasm 4.22 has no `Conv2DBackpropFilter`, and its `Conv2DBackpropInput`
 * (the transposed convolution) is a slow loop, while its `Conv2D` (XNNPACK) is fast; so both are
 * written here as a Conv2D: the filter gradient is a correlation of the layer's input with the output
 * gradient (batch as channels, dilated by the stride), and the transposed convolution is one
 * correlation of the input with the filter's taps arranged by output phase (sub-pixel convolution). Layout NHWC, filters as Keras stores them.
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
 * For one axis of a transposed convolution with 'same' padding (input size h, output size outSize,
 * kernel k, stride s): output position t = s*i + a (phase a in [0, s)) sums x[i - m] * W[s*m + a + p]
 * over the offsets m with 0 <= s*m + a + p < k, p the forward convolution's leading pad. Returns the
 * offsets' range [mMin, mMax] and, for window row d (x[i - mMax + d]) and phase a, the kernel tap
 * (or -1: no tap), indexed [d * s + a].
 */
function phaseTaps(h: number, outSize: number, k: number, s: number): { mMin: number; mMax: number; taps: number[] } {
  const p = samePadding(outSize, h, k, s)[0];
  const mMin = Math.ceil(-(s - 1 + p) / s);
  const mMax = Math.floor((k - 1 - p) / s);
  const taps: number[] = [];
  for (let d = 0; d <= mMax - mMin; d++) {
    for (let a = 0; a < s; a++) {
      const tap = s * (mMax - d) + a + p;
      taps.push(tap >= 0 && tap < k ? tap : -1);
    }
  }
  return { mMin, mMax, taps };
}

/** The sizes of one transposed convolution: input [h, w], output [outH, outW], kernel [kh, kw], stride. */
export interface TransposeGeometry {
  h: number;
  w: number;
  outH: number;
  outW: number;
  kh: number;
  kw: number;
  stride: number;
}

/** The geometry of a transposed convolution of x [B, h, w, C] by W [kh, kw, O, C] to [B, outH, outW, O]. */
function geometryOf(x: tf.Tensor4D, filter: tf.Tensor4D, outShape: [number, number, number, number], stride: number): TransposeGeometry {
  return { h: x.shape[1], w: x.shape[2], outH: outShape[1], outW: outShape[2], kh: filter.shape[0], kw: filter.shape[1], stride };
}

/**
 * W's taps arranged by output phase for `conv2dTransposeByPhases`: W [kh, kw, O, C] ->
 * [lh, lw, C, s*s*O] (lh, lw: the window of input pixels that reaches one output pixel). A product
 * with a 0/1 selection matrix (gathering on tfjs-wasm is a slow loop); worth computing once when
 * the same weights decode many points.
 */
export function transposePhaseKernel(filter: tf.Tensor4D, g: TransposeGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, outChannels, channels] = filter.shape;
    const s = g.stride;
    const rows = phaseTaps(g.h, g.outH, kh, s);
    const cols = phaseTaps(g.w, g.outW, kw, s);
    const lh = rows.mMax - rows.mMin + 1;
    const lw = cols.mMax - cols.mMin + 1;
    // Row r = ((window row * lw + window column) * s + row phase) * s + column phase picks the tap (or none).
    const select = new Float32Array(lh * lw * s * s * kh * kw);
    let r = 0;
    for (let dy = 0; dy < lh; dy++) {
      for (let dx = 0; dx < lw; dx++) {
        for (let a = 0; a < s; a++) {
          for (let b = 0; b < s; b++, r++) {
            const ty = rows.taps[dy * s + a];
            const tx = cols.taps[dx * s + b];
            if (ty >= 0 && tx >= 0) select[r * kh * kw + ty * kw + tx] = 1;
          }
        }
      }
    }
    const taps = tf.reshape(tf.transpose(filter, [0, 1, 3, 2]), [kh * kw, channels * outChannels]); // [kh*kw, C*O]
    const picked = tf.matMul(tf.tensor2d(select, [lh * lw * s * s, kh * kw]), taps); // [lh*lw*s*s, C*O]
    const byPhase = tf.transpose(tf.reshape(picked, [lh * lw, s * s, channels, outChannels]), [0, 2, 1, 3]); // [lh*lw, C, s*s, O]
    return tf.reshape(byPhase, [lh, lw, channels, s * s * outChannels]) as tf.Tensor4D;
  });
}

/**
 * depthToSpace by a reshape and a rank-4 transpose: [B, h, w, s*s*O] (channel (a*s + b)*O + o) ->
 * [B, h*s, w*s, O] (pixel (i*s + a, j*s + b)). tfjs-wasm's DepthToSpace is an element-by-element
 * loop: 270 of a conv training step's 620 ms at batch 128 (bench/browser.ts kernel profile).
 */
function phasesToPixels(phases: tf.Tensor4D, s: number): tf.Tensor4D {
  const [batch, h, w, depth] = phases.shape;
  const rows = tf.transpose(tf.reshape(phases, [batch * h, w, s, depth / s]), [0, 2, 1, 3]); // [B*h, s (a), w, s*O (b, o)]
  return tf.reshape(rows, [batch, h * s, w * s, depth / (s * s)]);
}

/**
 * The transposed convolution with W's taps already arranged by phase (transposePhaseKernel):
 * x [B, h, w, C], kernel [lh, lw, C, s*s*O] -> [B, outH, outW, O]. One conv2d gives the s*s output
 * phases side by side in the channels; depthToSpace puts each pixel in its place.
 */
export function conv2dTransposeByPhases(x: tf.Tensor4D, kernel: tf.Tensor4D, g: TransposeGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const batch = x.shape[0];
    const s = g.stride;
    const rows = phaseTaps(g.h, g.outH, g.kh, s);
    const cols = phaseTaps(g.w, g.outW, g.kw, s);
    const outChannels = kernel.shape[3] / (s * s);
    const padded = tf.pad(x, [[0, 0], [rows.mMax, -rows.mMin], [cols.mMax, -cols.mMin], [0, 0]]); // [B, h + lh - 1, w + lw - 1, C]
    const phases = tf.conv2d(padded as tf.Tensor4D, kernel, 1, 'valid'); // [B, h, w, s*s*O]
    const full = s === 1 ? phases : phasesToPixels(phases, s); // [B, h*s, w*s, O]
    return g.outH === g.h * s && g.outW === g.w * s ? full : tf.slice(full, [0, 0, 0, 0], [batch, g.outH, g.outW, outChannels]);
  });
}

/**
 * The transposed convolution (the input gradient of conv2d(., W, stride, 'same')) as one plain conv2d
 * (sub-pixel, or phase, decomposition): each of the stride² output phases is a small correlation of
 * x with some of W's taps, so one conv2d of x with the taps arranged by phase and a depthToSpace give
 * every output pixel, with no multiplications by stuffed zeros: x [B, h, w, C], W [kh, kw, O, C] ->
 * [B, H, W, O]. Only rank-4 ops (tfjs-webgl compiles its pad and transpose shaders up to rank 4 here).
 */
export function conv2dTransposeByConv(x: tf.Tensor4D, filter: tf.Tensor4D, outShape: [number, number, number, number], stride: number): tf.Tensor4D {
  return tf.tidy(() => {
    const g = geometryOf(x, filter, outShape, stride);
    return conv2dTransposeByPhases(x, transposePhaseKernel(filter, g), g);
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
