/**
 * The quiet window between the page and the training worker, with real shared memory and a real
 * second thread (node:worker_threads) standing in for the training worker.
 */
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createQuietGate, holdForDecoding, QuietParking, requestQuiet, type QuietGate } from '../../src/worker/quiet-gate';
import { TimeBudget } from '../../src/worker/time-budget';

/** The stand-in training worker (support/quiet-trainer.ts), run through tsx in a thread of its own. */
function startTrainer(data: { gate: QuietGate; log: Int32Array; steps: number; stepMs: number; maxMs: number }): Worker {
  const script = new URL('./support/quiet-trainer.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}

let worker: Worker | null = null;
afterEach(async () => {
  await worker?.terminate();
  worker = null;
});

function newGate(): QuietGate {
  const gate = createQuietGate();
  if (!gate) throw new Error('SharedArrayBuffer is missing in Node');
  return gate;
}

describe('quiet gate', () => {
  it('the worker stands still from the moment the page is answered until it releases', async () => {
    const gate = newGate();
    const log = new Int32Array(new SharedArrayBuffer(8));
    worker = startTrainer({ gate, log, steps: 1000, stepMs: 2, maxMs: 1000 });
    while (Atomics.load(log, 0) < 3) await new Promise((r) => setTimeout(r, 1));
    const release = await requestQuiet(gate, 1000);
    const stepsAtStart = Atomics.load(log, 0);
    await new Promise((r) => setTimeout(r, 60)); // "drawing"
    expect(Atomics.load(log, 0)).toBe(stepsAtStart);
    release();
    while (Atomics.load(log, 0) < stepsAtStart + 3) await new Promise((r) => setTimeout(r, 1));
    expect(Atomics.load(log, 1)).toBeGreaterThanOrEqual(50);
  });

  it('a page that never releases pauses training once, for the time limit, then no more', async () => {
    const gate = newGate();
    const log = new Int32Array(new SharedArrayBuffer(8));
    worker = startTrainer({ gate, log, steps: 40, stepMs: 1, maxMs: 30 });
    await requestQuiet(gate, 1000); // never released
    await new Promise<void>((resolve) => worker!.once('exit', () => resolve()));
    expect(Atomics.load(log, 0)).toBe(40);
    expect(Atomics.load(log, 1)).toBeGreaterThanOrEqual(29);
    expect(Atomics.load(log, 1)).toBeLessThan(200);
  });

  it('the page does not wait for a worker that is not training', async () => {
    const gate = newGate();
    // With a limit of ten minutes, the answer still comes before the next turn of the event loop.
    const answer = requestQuiet(gate, 600_000);
    const first = await Promise.race([answer, new Promise<'waited'>((r) => setImmediate(() => r('waited')))]);
    expect(first).toBeTypeOf('function');
    const release = await answer;
    release();
    expect(gate[0]).toBe(0);
  });

  it('QuietParking parks only when asked, and gives up at its limit', () => {
    const gate = newGate();
    let clock = 0;
    const parking = new QuietParking(gate, 20, () => clock);
    expect(parking.park()).toBe(0);
    parking.setTraining(true);
    gate[0] = 1; // the page asks and never releases; the fake clock runs past the limit
    const realWait = Atomics.wait;
    (Atomics as { wait: typeof Atomics.wait }).wait = () => {
      clock += 25;
      return 'timed-out';
    };
    try {
      expect(parking.park()).toBe(25);
      expect(gate[1]).toBe(0);
      expect(parking.park()).toBe(0); // no second pause for the same request
      gate[0] = 0;
      expect(parking.park()).toBe(0);
    } finally {
      (Atomics as { wait: typeof Atomics.wait }).wait = realWait;
    }
  });

  it('past its share of the time the worker declines, and the page draws at once instead of waiting', async () => {
    const gate = newGate();
    let clock = 0;
    const parking = new QuietParking(gate, 200, () => clock, new TimeBudget(0.03, () => clock, 10));
    parking.setTraining(true);
    const realWait = Atomics.wait;
    (Atomics as { wait: typeof Atomics.wait }).wait = () => {
      clock += 50; // the page draws for 50 ms, then releases
      gate[0] = 0;
      return 'ok';
    };
    try {
      gate[0] = 1;
      expect(parking.park()).toBe(50); // the first request is served...
      clock += 100; // ...and 100 ms of training repay 3 of those 50 ms
      const answer = requestQuiet(gate, 600_000); // the page asks; the worker answers between two steps...
      expect(parking.park()).toBe(0); // ...by declining
      expect(gate[1]).toBe(2);
      const release = await answer; // the page goes ahead (waiting out its limit would time the test out)
      release();
      expect(parking.park()).toBe(0); // released: the worker clears its answer
      expect(gate[1]).toBe(0);
    } finally {
      (Atomics as { wait: typeof Atomics.wait }).wait = realWait;
    }
  });

  it('a drag decoded by the decoder worker holds the worker still until the points stop coming', async () => {
    const gate = newGate();
    const log = new Int32Array(new SharedArrayBuffer(8));
    worker = startTrainer({ gate, log, steps: 100_000, stepMs: 2, maxMs: 1000 });
    while (Atomics.load(log, 0) < 3) await new Promise((r) => setTimeout(r, 1));
    const hold = holdForDecoding(gate, 400);
    hold.touch(); // a point of the drag
    await new Promise((r) => setTimeout(r, 40)); // the 2 ms step under way ends, and the worker stands still
    const held = Atomics.load(log, 0);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 50)); // more points, each well within the idle time
      hold.touch();
    }
    expect(Atomics.load(log, 0)).toBe(held); // no step while the points keep coming
    while (Atomics.load(log, 0) < held + 3) await new Promise((r) => setTimeout(r, 1)); // the drag stopped: training goes on
    expect(gate[3]).toBe(0);
  });
});
