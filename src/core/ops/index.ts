/**
 * The training ops in use: stock tfjs until a backend start chooses others (src/worker/backend.ts in
 * the browser, scripts/lib/tf-node.ts in Node), once. The model and the trainer ask `trainingOps()`.
 */
import { stockOps } from './stock';
import type { TrainingOps } from './training-ops';

export { stockOps } from './stock';
export * from './training-ops';

let active: TrainingOps = stockOps;

/** The ops the model and the trainer run on now. */
export function trainingOps(): TrainingOps {
  return active;
}

/** Chooses the ops (at backend start; tests compare implementations this way). */
export function setTrainingOps(ops: TrainingOps): void {
  active = ops;
}
