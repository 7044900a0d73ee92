/**
 * Side-by-side joining of two matrices' columns, and its gradient (slices of columns), as plain
 * JavaScript kernels over tfjs-wasm's heap. The encoder's mean and log-variance heads run as one
 * layer whose kernel is [W_mean | W_logVar] (ops.ts, gaussianHeads), joined every step: tfjs-wasm's Concat
 * and SplitV for such a small pair spend their time on bookkeeping, far more than copying the numbers.
 */
import * as tf from '../tf';
import { activeWasmBackend, registerWasmKernel } from './wasm-heap';

const CONCAT = 'VaeConcatColumns';
const SLICE = 'VaeSliceColumns';

function register(): void {
  registerWasmKernel(
    CONCAT,
    ({ a, b }, wasm) => {
      const [rows, colsA] = a.shape;
      const colsB = b.shape[1];
      const outInfo = wasm.makeOutput([rows, colsA + colsB], 'float32');
      // Views after the allocation: it can grow the heap and detach older views.
      const [x, y, out] = [a, b, outInfo].map((t) => wasm.typedArrayFromHeap(t));
      const width = colsA + colsB;
      for (let r = 0; r < rows; r++) {
        out.set(x.subarray(r * colsA, (r + 1) * colsA), r * width);
        out.set(y.subarray(r * colsB, (r + 1) * colsB), r * width + colsA);
      }
      return outInfo;
    },
    {
      inputsToSave: ['a'],
      gradFunc: (dy: tf.Tensor | tf.Tensor[], [a]: tf.Tensor[]) => {
        const columns = (start: number, size: number) => () => tf.engine().runKernel<tf.Tensor>(SLICE, { x: dy as tf.Tensor }, { start, size });
        const left = a.shape[1] ?? 0;
        return { a: columns(0, left), b: columns(left, ((dy as tf.Tensor).shape[1] ?? 0) - left) };
      },
    },
  );
  registerWasmKernel(SLICE, ({ x }, wasm, attrs) => {
    const [rows, width] = x.shape;
    const start = attrs.start as number;
    const size = attrs.size as number;
    const outInfo = wasm.makeOutput([rows, size], 'float32');
    const [src, out] = [x, outInfo].map((t) => wasm.typedArrayFromHeap(t));
    for (let r = 0; r < rows; r++) out.set(src.subarray(r * width + start, r * width + start + size), r * size);
    return outInfo;
  });
}

/** [A | B]: A [R, Ca], B [R, Cb] -> [R, Ca + Cb]. Differentiable; one kernel on wasm, tf.concat elsewhere. */
export function concatColumns(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (a.shape[0] !== b.shape[0]) throw new Error(`concatColumns: A ${a.shape} and B ${b.shape} have different row counts`);
  if (!activeWasmBackend() || a.dtype !== 'float32' || b.dtype !== 'float32') return tf.concat([a, b], 1);
  register();
  return tf.engine().runKernel<tf.Tensor2D>(CONCAT, { a, b });
}
