/**
 * The two products of the encoder's first dense layer, on a data batch whose pixels are mostly
 * zero, with the zeros skipped (sparse-input.wat), as kernels of the tfjs wasm backend.
 *
 * They are 2 of the 5 products of a 784-wide layer in a training step, the step's largest cost. An
 * MNIST digit has about 19% non-zero pixels, and passes over the non-zero ones take about as long for
 * both products as gemm.wat's dense product does for one (figures: README, Speed). Both share their work with the kernel helper thread where there is one. Registered as
 * tfjs kernels, they are tracked, profiled and freed like any other.
 */
import * as tf from '../tf';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { hasFmaProducts } from './gemm';
import { HELPER_SPARSE_FORWARD, HELPER_SPARSE_WEIGHT_GRAD, runShared } from './helper-thread';
import { WASM_PLAIN, WASM_SHARED } from './sparse-input-wasm';
import { activeWasmBackend, heapOffset, moduleOrThrow, perBackend, registerWasmKernel, withScratch, type WasmBackend } from './wasm-heap';

interface SparseInputExports {
  forward(x: number, w: number, out: number, scratch: number, batch: number, inputs: number, units: number, bStart: number, bEnd: number): void;
  weightGrad(x: number, gt: number, dw: number, scratch: number, batch: number, inputs: number, units: number, pStart: number, pEnd: number): void;
}

const FORWARD = 'VaeSparseInputForward';
const WEIGHT_GRAD = 'VaeSparseInputWeightGrad';

const moduleFor = perBackend({ plain: WASM_PLAIN, shared: WASM_SHARED }, (exports) => exports as unknown as SparseInputExports);

const kernelModule = (backend: WasmBackend) => moduleOrThrow(moduleFor, backend, 'sparse-input kernels');

function register(): void {
  // Each shares its range (examples, pixels) with the helper thread where there is one; each thread has its own scratch.
  registerWasmKernel(FORWARD, ({ x, w }, wasm) => {
    const [batch, pixels] = x.shape;
    const units = w.shape[1];
    const out = wasm.makeOutput([units, batch], 'float32');
    const perThread = units + 2 * pixels;
    const at = (t: tf.TensorInfo) => heapOffset(wasm, t);
    withScratch(wasm, 2 * perThread, (scratch) =>
      runShared(wasm, HELPER_SPARSE_FORWARD, batch, 1, true, (start, end, thread) => [at(x), at(w), at(out), scratch + 4 * thread * perThread, batch, pixels, units, start, end], kernelModule(wasm).forward),
    );
    return out;
  });
  registerWasmKernel(WEIGHT_GRAD, ({ x, gt }, wasm) => {
    const [batch, pixels] = x.shape;
    const units = gt.shape[1];
    const dw = wasm.makeOutput([pixels, units], 'float32');
    const at = (t: tf.TensorInfo) => heapOffset(wasm, t);
    withScratch(wasm, 4 * batch, (scratch) =>
      runShared(wasm, HELPER_SPARSE_WEIGHT_GRAD, pixels, 1, true, (start, end, thread) => [at(x), at(gt), at(dw), scratch + 8 * thread * batch, batch, pixels, units, start, end], kernelModule(wasm).weightGrad),
    );
    return dw;
  });
}

/** True when the active backend can run these kernels (wasm with SIMD) for a layer of `units` outputs. */
export function canSkipZeroInputs(units: number): boolean {
  const backend = activeWasmBackend();
  if (!backend || units % 4 !== 0 || !moduleFor(backend)) return false;
  register();
  return true;
}

/**
 * Whether skipping zeros beats the dense products for data with this fraction of non-zero pixels.
 * The sparse pair's time grows with the density and the dense pair's does not; the break-even points,
 * measured in Chromium for 784-400 at batch 128 (README, Speed), are 0.3 against gemm.wat (both share
 * the helper thread alike) and 0.7 / threads against XNNPACK (no FMA, all of the backend's threads).
 */
export function sparseInputPays(nonZeroFraction: number): boolean {
  const backend = activeWasmBackend();
  if (!backend || !moduleFor(backend)) return false;
  if (hasFmaProducts()) return nonZeroFraction < 0.3;
  return nonZeroFraction < 0.7 / Math.max(1, getThreadsCount());
}

/** (X·W)ᵀ, X's zeros skipped: X [B, D] batch-major, W [D, U] -> [U, B]. Check `canSkipZeroInputs` first. */
export function sparseInputProduct(xRows: tf.Tensor2D, kernel: tf.Tensor2D): tf.Tensor2D {
  if (xRows.shape[1] !== kernel.shape[0]) throw new Error(`sparseInputProduct: X ${xRows.shape} and W ${kernel.shape} do not chain`);
  return tf.engine().runKernel(FORWARD, { x: xRows, w: kernel });
}

/** dW = Xᵀ·Gᵀ, X's zeros skipped: X [B, D] batch-major, Gᵀ [B, U] given transposed -> [D, U]. Check `canSkipZeroInputs` first. */
export function sparseInputWeightGrad(xRows: tf.Tensor2D, gRows: tf.Tensor2D): tf.Tensor2D {
  if (xRows.shape[0] !== gRows.shape[0]) throw new Error(`sparseInputWeightGrad: X ${xRows.shape} and Gᵀ ${gRows.shape} do not chain`);
  return tf.engine().runKernel(WEIGHT_GRAD, { x: xRows, gt: gRows });
}
