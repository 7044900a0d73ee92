/**
 * The dense layers' matrix products on the wasm backend with fused multiply-add (gemm.wat), as a
 * kernel of the tfjs wasm backend.
 *
 * tfjs-backend-wasm multiplies with XNNPACK built for 128-bit SIMD without FMA; relaxed SIMD's
 * f32x4.relaxed_madd is one FMA instruction on x64, and gemm.wat's 4 x 8 register blocks come near the
 * peak of 128-bit FMA (figures: README, Speed). Where the engine lacks relaxed SIMD (probed at the
 * backend's start, relaxed-simd.ts) `matMulOpA` takes tfjs' stock ops (Node 20 has it behind a flag,
 * which scripts/lib/tf-node.ts sets). Large products are split by rows with the helper thread
 * (helper-thread.ts) where there is one.
 */
import * as tf from '../tf';
import { WASM_PLAIN, WASM_SHARED } from './gemm-wasm';
import { HELPER_GEMM, runShared } from './helper-thread';
import { hasRelaxedSimd } from './relaxed-simd';
import { transpose2d } from './transpose';
import { activeWasmBackend, heapOffset, moduleOrThrow, perBackend, registerWasmKernel, withScratch, type WasmBackend } from './wasm-heap';

interface GemmExports {
  gemm(a: number, b: number, c: number, pack: number, m: number, k: number, n: number, transA: number, rowStart: number, rowEnd: number): void;
}

const GEMM = 'VaeGemm';

/**
 * Products of at least this many multiply-adds (M·K·N) are shared with the helper thread: a
 * hand-off has a fixed cost that only large products repay.
 */
const SHARED_PRODUCT_SIZE = 4_000_000;

/** gemm.wat's column block: N must be a multiple of it. */
const COLUMN_BLOCK = 8;

const moduleFor = perBackend({ plain: WASM_PLAIN, shared: WASM_SHARED }, (exports) => exports as unknown as GemmExports);

const kernels = (backend: WasmBackend) => moduleOrThrow(moduleFor, backend, 'matrix product kernel');

function register(): void {
  registerWasmKernel(GEMM, ({ a, b }, wasm, attrs) => {
    const transposeA = attrs.transposeA === true;
    const [m, k] = transposeA ? [a.shape[1], a.shape[0]] : a.shape;
    const n = b.shape[1];
    const c = wasm.makeOutput([m, n], 'float32');
    const at = (t: tf.TensorInfo) => heapOffset(wasm, t);
    const args = (rowStart: number, rowEnd: number, pack: number) => [at(a), at(b), at(c), pack, m, k, n, transposeA ? 1 : 0, rowStart, rowEnd];
    // With the helper thread, each thread packs its panels of A in its own half of the scratch.
    withScratch(wasm, 8 * k, (pack) =>
      runShared(wasm, HELPER_GEMM, m, 4, m * k * n >= SHARED_PRODUCT_SIZE, (start, end, thread) => args(start, end, pack + thread * 16 * k), kernels(wasm).gemm),
    );
    return c;
  });
}

/** True when the active backend runs gemm.wat (wasm with relaxed SIMD), for products whose columns fit its blocks. */
export function hasFmaProducts(): boolean {
  const backend = activeWasmBackend();
  if (!backend || !hasRelaxedSimd() || !moduleFor(backend)) return false;
  register();
  return true;
}

/** True when the active backend runs gemm.wat for a product with `columns` columns. */
export function canMultiplyWithFma(columns: number): boolean {
  return columns % COLUMN_BLOCK === 0 && hasFmaProducts();
}

/**
 * op(A)·B with op(A) = Aᵀ when `transposeA`, else A: A [M, K] (or [K, M] transposed), B [K, N] -> [M, N].
 * gemm.wat where it runs, else tfjs' matMul (after an explicit transpose: its transposed kernels are slow
 * on wasm). Not differentiable: for custom gradients.
 */
export function matMulOpA(a: tf.Tensor2D, b: tf.Tensor2D, transposeA = false): tf.Tensor2D {
  const inner = transposeA ? a.shape[0] : a.shape[1];
  if (inner !== b.shape[0]) throw new Error(`matMulOpA: A ${a.shape}${transposeA ? 'ᵀ' : ''} and B ${b.shape} do not chain`);
  if (inner > 0 && canMultiplyWithFma(b.shape[1])) return tf.engine().runKernel<tf.Tensor2D>(GEMM, { a, b }, { transposeA });
  return tf.matMul(transposeA ? transpose2d(a) : a, b);
}
