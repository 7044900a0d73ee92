/**
 * A quiet window for the page's drawing. On a machine with few cores the training worker and the
 * page's main thread compete for the CPU: on 2 cores a chart redraw took two to four times as long
 * while training, long enough to make the page stutter. Through a few shared
 * integers the page asks the worker to stand still between two training steps while it draws; the
 * worker parks (Atomics.wait) until the page releases it, or until a time limit passes, so a page
 * that never releases costs training one short pause, never a stop. The pauses together take at
 * most a set share of the worker's time (a TimeBudget); past it the worker declines, and the page
 * draws beside training.
 *
 * Needs SharedArrayBuffer (a cross-origin-isolated page); without it there is simply no gate.
 * Pure JavaScript, no DOM: the same code runs in the page, the worker and Node tests.
 */

import type { TimeBudget } from './time-budget';

/** The shared cells: see the indices below. */
export type QuietGate = Int32Array;

/** 1 while the page wants quiet (set by the page). */
const WANTED = 0;
/** 1 while the worker stands still, 2 when it declined the request (set by the worker). */
const PARKED = 1;
/** The PARKED value of a declined request: the page draws at once, without waiting. */
const DECLINED = 2;
/** 1 while the worker trains continuously, so a request will be answered soon (set by the worker). */
const TRAINING = 2;
/**
 * 1 while the person drags a point that a decoder worker decodes (set by the page, holdForDecoding):
 * the worker stands still between steps, so the decoder worker has the CPU. Not limited by the share:
 * it lasts only while the person drags.
 */
const HELD = 3;

/** A new gate, or null where memory cannot be shared with the worker. */
export function createQuietGate(): QuietGate | null {
  if (typeof SharedArrayBuffer === 'undefined') return null;
  if (typeof crossOriginIsolated !== 'undefined' && !crossOriginIsolated) return null;
  return new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
}

/**
 * Worker side, between training steps: stands still while the page draws.
 * Returns how long it stood still, in ms (0 when nobody asked).
 */
export class QuietParking {
  /** Set after a wait ran out or a request was declined: don't park again until the page has released once. */
  private ignoring = false;

  constructor(
    private readonly gate: QuietGate,
    /** Longest single pause, ms. */
    private readonly maxMs = 200,
    private readonly now: () => number = () => performance.now(),
    /** The most of the worker's time the pauses may take together (none: no limit); past it, requests are declined. */
    private readonly budget: TimeBudget | null = null,
    /** Longest hold for a drag before one training step. */
    private readonly maxHoldMs = 5000,
  ) {}

  /** Marks whether the worker is in its training loop (only then does the page wait for it). */
  setTraining(training: boolean): void {
    Atomics.store(this.gate, TRAINING, training ? 1 : 0);
    if (!training) Atomics.notify(this.gate, PARKED);
  }

  /** Parks while the page wants quiet or holds the worker for a drag; returns the ms parked. */
  park(): number {
    return this.holdForDrag() + this.parkForDrawing();
  }

  /** Stands still while the page holds the worker for decoding a drag, for `maxHoldMs` at most at a time. */
  private holdForDrag(): number {
    const { gate } = this;
    if (Atomics.load(gate, HELD) === 0) return 0;
    const started = this.now();
    while (Atomics.load(gate, HELD) !== 0) {
      const left = this.maxHoldMs - (this.now() - started);
      if (left <= 0) break; // one step, then hold again: training never stops outright
      Atomics.wait(gate, HELD, 1, left);
    }
    return this.now() - started;
  }

  private parkForDrawing(): number {
    const { gate } = this;
    if (Atomics.load(gate, WANTED) === 0) {
      this.ignoring = false;
      if (Atomics.load(gate, PARKED) === DECLINED) Atomics.store(gate, PARKED, 0);
      return 0;
    }
    if (this.ignoring) return 0;
    if (this.budget && !this.budget.available()) {
      this.ignoring = true;
      Atomics.store(gate, PARKED, DECLINED);
      Atomics.notify(gate, PARKED);
      return 0;
    }
    const started = this.now();
    Atomics.store(gate, PARKED, 1);
    Atomics.notify(gate, PARKED);
    while (Atomics.load(gate, WANTED) !== 0) {
      const left = this.maxMs - (this.now() - started);
      if (left <= 0) {
        this.ignoring = true;
        break;
      }
      Atomics.wait(gate, WANTED, 1, left);
    }
    Atomics.store(gate, PARKED, 0);
    const parked = this.now() - started;
    this.budget?.spend(parked);
    return parked;
  }
}

type WaitAsync = (cells: Int32Array, index: number, value: number, timeoutMs: number) => { async: boolean; value: Promise<string> | string };

/**
 * Page side: asks for quiet and resolves once the worker stands still, at once when it is not
 * training or has declined (its share of time for pauses is spent), or after `maxWaitMs` at most (a
 * step may be under way). Call the returned function when the drawing is done.
 */
export async function requestQuiet(gate: QuietGate, maxWaitMs = 150): Promise<() => void> {
  Atomics.store(gate, WANTED, 1);
  const release = () => {
    Atomics.store(gate, WANTED, 0);
    Atomics.notify(gate, WANTED);
  };
  const deadline = performance.now() + maxWaitMs;
  const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
  while (Atomics.load(gate, TRAINING) === 1 && Atomics.load(gate, PARKED) === 0) {
    const left = deadline - performance.now();
    if (left <= 0) break;
    if (waitAsync) {
      const result = waitAsync(gate, PARKED, 0, left);
      if (result.async) await result.value;
    } else {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  return release;
}

/**
 * Page side, for a drag decoded off the main thread (a conv model's decoder worker): `touch` on each
 * decoded point holds the training worker still between its steps until no point has come for
 * `idleMs`. On two cores the decoder worker otherwise competes with training's threads.
 */
export function holdForDecoding(gate: QuietGate, idleMs = 250): { touch(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const release = () => {
    timer = null;
    Atomics.store(gate, HELD, 0);
    Atomics.notify(gate, HELD);
  };
  return {
    touch() {
      Atomics.store(gate, HELD, 1);
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(release, idleMs);
    },
  };
}
