/**
 * A stand-in training worker for quiet-gate.test.ts (run in a node:worker_threads thread): marks
 * itself training, then takes `steps` steps of `stepMs` busy work, parking at the gate before each
 * with the real QuietParking, and writes into `log` [steps done, ms parked in total].
 */
import { workerData } from 'node:worker_threads';
import { QuietParking } from '../../../src/worker/quiet-gate';

const { gate, log, steps, stepMs, maxMs } = workerData as { gate: Int32Array; log: Int32Array; steps: number; stepMs: number; maxMs: number };
const parking = new QuietParking(gate, maxMs);
parking.setTraining(true);
for (let i = 0; i < steps; i++) {
  Atomics.add(log, 1, Math.round(parking.park()));
  const end = performance.now() + stepMs;
  while (performance.now() < end) {
    // a training step
  }
  Atomics.store(log, 0, i + 1);
}
parking.setTraining(false);
