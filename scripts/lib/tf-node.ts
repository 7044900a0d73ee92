/** tfjs for Node scripts and tests: the wasm backend (no native binary), or cpu on request. */
// Every gradient and chained op, and the cpu backend: the umbrella's Node bundle registers them. (The
// browser imports tfjs-core's own registration modules, src/worker/tf-browser.ts; Node cannot load
// them: they are ES modules whose imports lack file extensions.)
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../../src/core/tf';
import { startKernels } from '../../src/core/accelerator';
import { KERNELS_CHOICES, type KernelsChoice } from '../../src/core/ops';
import { enableRelaxedSimd } from './relaxed-simd.mjs';

/**
 * The training ops VAE_KERNELS asks for: `stock` (plain tfjs, as `?kernels=stock` in the app) or
 * `accelerated` (the default: the project's wasm kernels on the wasm backend).
 */
export function kernelsFromEnv(): KernelsChoice {
  const value = process.env.VAE_KERNELS?.trim() || 'accelerated';
  const choice = KERNELS_CHOICES.find((k) => k === value);
  if (!choice) throw new Error(`VAE_KERNELS must be ${KERNELS_CHOICES.join(' or ')}, not "${value}"`);
  return choice;
}

/**
 * Selects and initialises a tfjs backend in Node, then the training ops of VAE_KERNELS on it;
 * returns the backend's name. Turns on WebAssembly relaxed SIMD first, so that the project's
 * matrix-product kernel (gemm.wat, FMA) runs here as in Chromium.
 */
export async function initNodeBackend(name: 'wasm' | 'cpu' = 'wasm'): Promise<string> {
  const kernels = kernelsFromEnv();
  await enableRelaxedSimd();
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tfjs backend "${name}" could not start in Node`);
  }
  await tf.ready();
  await startKernels(kernels);
  return tf.getBackend();
}

export { tf };
