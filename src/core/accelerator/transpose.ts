/**
 * 2-D transposes on the wasm backend by 4x4 SIMD blocks (transpose.wat). tfjs-wasm's Transpose is a
 * generic n-D loop, one element at a time; a training step transposes the data batch and each
 * layer's output gradient (and its weights too where gemm.wat, which reads Wᵀ in place, cannot run).
 */
import * as tf from '../tf';
import { WASM_PLAIN, WASM_SHARED } from './transpose-wasm';
import { activeWasmBackend, heapOffset, moduleOrThrow, perBackend, registerWasmKernel } from './wasm-heap';

type TransposeExport = (input: number, out: number, rows: number, cols: number) => void;

const KERNEL = 'VaeTranspose2D';

const moduleFor = perBackend({ plain: WASM_PLAIN, shared: WASM_SHARED }, (exports) => exports.transpose as TransposeExport);

function register(): void {
  registerWasmKernel(
    KERNEL,
    ({ x }, wasm) => {
      const [rows, cols] = x.shape;
      const out = wasm.makeOutput([cols, rows], 'float32');
      moduleOrThrow(moduleFor, wasm, 'transpose kernel')(heapOffset(wasm, x), heapOffset(wasm, out), rows, cols);
      return out;
    },
    { gradFunc: (dy) => ({ x: () => transpose2d(dy as tf.Tensor2D) }) },
  );
}

/**
 * xᵀ for a 2-D tensor: [R, C] -> [C, R]. The SIMD kernel for float32 with R and C multiples of 4 on
 * wasm, else tf.transpose. Differentiable.
 */
export function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  const [rows, cols] = x.shape;
  const backend = activeWasmBackend();
  if (!backend || x.dtype !== 'float32' || rows % 4 !== 0 || cols % 4 !== 0 || !moduleFor(backend)) return tf.transpose(x);
  register();
  return tf.engine().runKernel<tf.Tensor2D>(KERNEL, { x });
}
