/**
 * The training worker's handler in Node (src/worker/handler.ts), wired to an event log: what the
 * worker tests share. Its backend start is instant (the test has already chosen tfjs' backend), its
 * event loop turns with setImmediate, and its timings are fast: losses read after every few steps,
 * weights and codes whenever due, and the displays not held to a share of the worker's time
 * (`displayShare: 1`; weights posted after every step would spend any share and starve the rest).
 */
import { TrainingHandler, type HandlerDeps, type Timing } from '../../../src/worker/handler';
import type { RequestBody } from '../../../src/worker/client';
import { transferablesOf, type WorkerEvent, type WorkerRequest } from '../../../src/worker/protocol';
import type { DatasetSplits } from '../../../src/core/data/dataset';

/** Timings for tests: every display as soon as it is due. */
export const FAST_TIMING: Partial<Timing> = { metricsEvery: 5, weightsEveryMs: 0, latentsMinIntervalMs: 0, batchRows: 100, displayShare: 1 };

/** A handler over `data` with its event log and helpers; `timing` and `deps` override the defaults. */
export function handlerHarness(data: () => DatasetSplits, timing: Partial<Timing> = {}, deps: Partial<HandlerDeps> = {}) {
  const events: WorkerEvent[] = [];
  const handler = new TrainingHandler({
    post: (e) => {
      transferablesOf(e); // must not throw on any event
      events.push(e);
    },
    initBackend: async () => ({ name: 'wasm', label: 'wasm (test)' }),
    loadData: async () => data(),
    yieldToEvents: () => new Promise((r) => setImmediate(r)),
    ...deps,
    timing: { ...FAST_TIMING, ...timing },
  });
  let id = 1;
  /** Sends a request (ids count up from 1) and resolves with its id once the handler has carried it out. */
  const send = async (req: RequestBody): Promise<number> => {
    const sent = id++;
    await handler.handle({ ...req, id: sent } as WorkerRequest);
    return sent;
  };
  const ofType = <T extends WorkerEvent['type']>(type: T) => events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);
  const lastStatus = () => ofType('status').at(-1)!.status;
  return { handler, events, send, ofType, lastStatus };
}

/** Resolves once `condition` holds, checking every 5 ms; rejects after `ms`. */
export async function waitUntil(condition: () => boolean, ms = 60_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
