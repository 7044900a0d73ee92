/**
 * WebAssembly relaxed SIMD (f32x4.relaxed_madd, the fused multiply-add of src/core/accelerator/gemm.wat)
 * is on in Chromium but behind a V8 flag in Node 20. Node scripts, tests and the kernel build turn
 * it on with `enableRelaxedSimd()` before any module is compiled.
 */
import { setFlagsFromString } from 'node:v8';

/** A module whose one function runs f32x4.relaxed_madd on three zero vectors, in bytes. */
function relaxedSimdProbe() {
  const body = [0x00, ...[0, 1, 2].flatMap(() => [0xfd, 0x0c, ...new Array(16).fill(0)]), 0xfd, 0x85, 0x02, 0x0b];
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0, 10, body.length + 2, 1, body.length, ...body]);
}

/** Turns relaxed SIMD on in this process where it is off; true when the engine has it now. */
export function enableRelaxedSimd() {
  const probe = relaxedSimdProbe();
  if (!WebAssembly.validate(probe)) setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(probe);
}
