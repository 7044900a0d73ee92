/**
 * The accelerator: this project's own kernels for tfjs-backend-wasm (WebAssembly SIMD modules
 * assembled from the *.wat files here by scripts/build-kernels.mjs, JavaScript kernels over the
 * wasm heap, and a helper thread that takes half of the large ones), behind the training-ops seam
 * of ../ops. Nothing in model/ or train/ imports this folder: a backend start calls `startKernels`
 * once, and the model and the trainer run on whichever ops it chose.
 */
import { setTrainingOps, stockOps, trainingOps, type KernelsChoice, type TrainingOps } from '../ops';
import { hasFmaProducts } from './gemm';
import { hasHelperThread, startHelperThread } from './helper-thread';
import { acceleratedOps } from './ops';
import { probeRelaxedSimd } from './relaxed-simd';
import { activeWasmBackend } from './wasm-heap';

export { acceleratedOps } from './ops';
export { probeRelaxedSimd } from './relaxed-simd';
export { wantedWasmThreads, withReportedCores } from './wasm-threads';

/** The ops for a choice on the active backend: the accelerated ones on wasm unless `stock` is asked for, else stock. */
export function opsFor(choice: KernelsChoice): TrainingOps {
  return choice === 'accelerated' && activeWasmBackend() ? acceleratedOps : stockOps;
}

/** Runs `body` on `choice`'s ops and puts the ops in use before back, also when it throws (tests and the bench compare the two). */
export async function withKernels<T>(choice: KernelsChoice, body: () => T | Promise<T>): Promise<T> {
  const before = trainingOps();
  setTrainingOps(opsFor(choice));
  try {
    return await body();
  } finally {
    setTrainingOps(before);
  }
}

/**
 * Chooses the training ops once the backend is up (and starts the kernel helper thread where it can
 * run, see helper-thread.ts); returns the ops now in use.
 */
export async function startKernels(choice: KernelsChoice): Promise<TrainingOps> {
  await probeRelaxedSimd(); // gemm.ts asks for the answer synchronously
  const ops = opsFor(choice);
  const wasm = activeWasmBackend();
  if (ops === acceleratedOps && wasm) await startHelperThread(wasm);
  setTrainingOps(ops);
  return ops;
}

/** What the accelerator adds on the active backend, for the status line: its helper thread, products with FMA. */
export function acceleratorFeatures(): { helper: boolean; fma: boolean } {
  const wasm = activeWasmBackend();
  return { helper: Boolean(wasm && hasHelperThread(wasm)), fma: hasFmaProducts() };
}
