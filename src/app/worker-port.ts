/**
 * Where the training worker comes from. The page starts it first thing (before the app's own large
 * script is evaluated), so the worker's script, its tfjs backend and the bundled model load while
 * the page is still starting; the first useTraining takes that worker, later ones make new workers.
 */
import { KERNELS_CHOICES, type KernelsChoice } from '../core/ops/training-ops'; // not ../core/ops: its stock ops would pull tfjs into this first script
import { BACKEND_CHOICES, type BackendChoice, type WorkerRequest } from '../worker/protocol';

let early: Worker | null = null;

function createWorker(): Worker {
  return new Worker(new URL('../worker/training.worker.ts', import.meta.url), { type: 'module', name: 'vae-training' });
}

/**
 * Starts the training worker now, and its tfjs backend and training ops (`backend`, `kernels`: the
 * address's choices); `takeTrainingWorker` hands it out later.
 */
export function startTrainingWorkerEarly(backend: BackendChoice, kernels: KernelsChoice = 'accelerated'): void {
  if (early) return;
  early = createWorker();
  const warmUp: WorkerRequest = { type: 'warm-up', id: 0, backend, kernels };
  early.postMessage(warmUp);
}

/** The `backend=` of an address's query, or 'auto' (the app's settings parse the same value). */
export function backendOfQuery(search: string): BackendChoice {
  const value = new URLSearchParams(search).get('backend');
  return BACKEND_CHOICES.find((b) => b === value) ?? 'auto';
}

/** The `kernels=` of an address's query, or 'accelerated' (the app's settings parse the same value). */
export function kernelsOfQuery(search: string): KernelsChoice {
  const value = new URLSearchParams(search).get('kernels');
  return KERNELS_CHOICES.find((k) => k === value) ?? 'accelerated';
}

/** The worker started early, the first time; a new worker after that. */
export function takeTrainingWorker(): Worker {
  const worker = early ?? createWorker();
  early = null;
  return worker;
}
