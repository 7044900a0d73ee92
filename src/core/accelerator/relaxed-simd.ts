/**
 * Whether the engine has WebAssembly relaxed SIMD, which gemm.wat's fused multiply-add
 * (f32x4.relaxed_madd) needs: probed once by wasm-feature-detect's `relaxedSimd()`, which is
 * asynchronous, so the backend start awaits `probeRelaxedSimd()` (startKernels) and the kernels
 * ask `hasRelaxedSimd()` synchronously afterwards. In Node the probe must come after the V8 flag
 * that turns relaxed SIMD on (scripts/lib/tf-node.ts does both in that order).
 */
import { relaxedSimd } from 'wasm-feature-detect';

let answer: boolean | null = null;

/** Probes for relaxed SIMD the first time (later calls give the same answer). */
export async function probeRelaxedSimd(): Promise<boolean> {
  answer ??= await relaxedSimd();
  return answer;
}

/** The probe's answer; false until `probeRelaxedSimd` has run. */
export function hasRelaxedSimd(): boolean {
  return answer === true;
}
