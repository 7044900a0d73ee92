/**
 * Adam's update as one fused kernel on the wasm backend. tfjs-wasm runs Adam as 12 element-wise
 * kernels a variable, each a single-threaded pass over memory (a large share of a step). This small WebAssembly module (adam.wat, 128-bit SIMD) imports tfjs-wasm's
 * own memory and updates the variable and both moments in place in one pass.
 *
 * In place is safe only for tensors that own their memory alone: a variable shares memory with the
 * tensor it was made or assigned from (`tf.variable(t)`, and `v.assign(snapshot)` when the trainer
 * rolls back), and tfjs-wasm's reshape shares too (its clones are copies). A variable or moment
 * whose memory is shared is left alone and the caller takes the kernel path, which gives it memory
 * of its own. After each in-place update the backend drops the operators it cached for the variable
 * (wasm-heap.ts, `forgetCachedOperators`): a conv filter's packed copy would be stale.
 */
import type * as tf from '../tf';
import type { AdamStep } from '../ops/training-ops';
import { WASM_PLAIN, WASM_SHARED } from './adam-wasm';
import { HELPER_ADAM, runShared } from './helper-thread';
import { activeWasmBackend, forgetCachedOperators, perBackend, type WasmBackend } from './wasm-heap';

/** Variables of at least this many elements are updated by two threads (the hand-off costs tens of microseconds). */
const SHARED_ADAM_SIZE = 65_536;

type AdamExport = (theta: number, grad: number, m: number, v: number, n: number, keep1: number, keep2: number, step: number, eps: number) => void;

/** The fused update bound to one wasm backend instance. */
export class FusedAdam {
  private constructor(
    private readonly backend: WasmBackend,
    private readonly adam: AdamExport,
  ) {}

  private static readonly forBackend = perBackend({ plain: WASM_PLAIN, shared: WASM_SHARED }, (exports) => exports.adam as AdamExport);

  /** The kernel for the active backend, or null when it is not wasm or its memory cannot be reached. */
  static forActiveBackend(): FusedAdam | null {
    const backend = activeWasmBackend();
    const adam = backend && FusedAdam.forBackend(backend);
    return adam ? new FusedAdam(backend, adam) : null;
  }

  /**
   * Updates θ, m and v in place from g (all float32, one size); false (nothing done) when θ, m or v
   * shares its memory with another tensor.
   */
  apply(theta: tf.Tensor, grad: tf.Tensor, m: tf.Tensor, v: tf.Tensor, p: AdamStep): boolean {
    const { backend } = this;
    for (const t of [theta, m, v]) if (t.dtype !== 'float32' || backend.refCount(t.dataId) !== 1) return false;
    if (grad.dtype !== 'float32' || grad.size !== theta.size || m.size !== theta.size || v.size !== theta.size) return false;
    const [th, g, mm, vv] = [theta, grad, m, v].map((t) => backend.typedArrayFromHeap({ shape: t.shape, dtype: t.dtype, dataId: t.dataId }));
    const simd = th.length - (th.length % 4);
    // Large variables share their elements with the kernel helper thread where there is one.
    runShared(backend, HELPER_ADAM, simd, 4, simd >= SHARED_ADAM_SIZE, (start, end) => {
      const at = (a: Float32Array) => a.byteOffset + 4 * start;
      return [at(th), at(g), at(mm), at(vv), end - start, p.keep1, p.keep2, p.stepSize, p.epsilon];
    }, this.adam);
    for (let i = simd; i < th.length; i++) {
      // The last 0-3 elements, the same update in JavaScript.
      mm[i] += p.keep1 * (g[i] - mm[i]);
      vv[i] += p.keep2 * (g[i] * g[i] - vv[i]);
      th[i] -= (p.stepSize * mm[i]) / (Math.sqrt(vv[i]) + p.epsilon);
    }
    forgetCachedOperators(backend, theta.dataId); // a conv filter's packed copy in XNNPACK is stale now
    return true;
  }
}
