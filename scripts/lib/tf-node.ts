/** tfjs for Node scripts and tests: the wasm backend (no native binary), or cpu on request. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { enableRelaxedSimd } from './relaxed-simd.mjs';

/**
 * Selects and initialises a tfjs backend in Node; returns its name. Turns on WebAssembly relaxed
 * SIMD first, so that the project's matrix-product kernel (gemm.wat, FMA) runs here as in Chromium.
 */
export async function initNodeBackend(name: 'wasm' | 'cpu' = 'wasm'): Promise<string> {
  enableRelaxedSimd();
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tfjs backend "${name}" could not start in Node`);
  }
  await tf.ready();
  return tf.getBackend();
}

export { tf };
