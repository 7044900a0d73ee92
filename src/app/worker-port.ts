/**
 * Where the training worker comes from. The page starts it first thing (before the app's own large
 * script is evaluated), so the worker's script, its tfjs backend and the bundled model load while
 * the page is still starting; the first useTraining takes that worker, later ones make new workers.
 */
let early: Worker | null = null;

function createWorker(): Worker {
  return new Worker(new URL('../worker/training.worker.ts', import.meta.url), { type: 'module', name: 'vae-training' });
}

/** Starts the training worker now; `takeTrainingWorker` hands it out later. */
export function startTrainingWorkerEarly(): void {
  early ??= createWorker();
}

/** The worker started early, the first time; a new worker after that. */
export function takeTrainingWorker(): Worker {
  const worker = early ?? createWorker();
  early = null;
  return worker;
}
