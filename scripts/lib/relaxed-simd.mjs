/**
 * WebAssembly relaxed SIMD (f32x4.relaxed_madd, the fused multiply-add of src/core/accelerator/gemm.wat)
 * is on in Chromium but behind a V8 flag in Node 20. Node scripts, tests and the kernel build turn
 * it on with `await enableRelaxedSimd()` before any module is compiled; wasm-feature-detect's
 * `relaxedSimd()` probes for it (the same probe as src/core/accelerator/relaxed-simd.ts in the browser).
 */
import { setFlagsFromString } from 'node:v8';
import { relaxedSimd } from 'wasm-feature-detect';

/** Turns relaxed SIMD on in this process where it is off; true when the engine has it now. */
export async function enableRelaxedSimd() {
  if (!(await relaxedSimd())) setFlagsFromString('--experimental-wasm-relaxed-simd');
  return relaxedSimd();
}
