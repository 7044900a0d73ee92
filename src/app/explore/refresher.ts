/**
 * Keeps a display up to date with a slow source (a worker request) without piling up work: one run at a
 * time, a trigger during a run asks for exactly one more after it, and runs are at least `minIntervalMs`
 * apart (so panels that follow training refresh at a modest rate and leave the worker to train).
 */

/** A trigger-able refresh loop. */
export interface Refresher {
  /** Asks for a run: now, or after the current run and the minimum interval. */
  trigger(): void;
  /** Stops: no further runs start (a running one finishes). */
  stop(): void;
}

/** A refresher around `run` (its errors are its own to handle: a rejection only ends that run). */
export function refresher(run: () => Promise<void>, minIntervalMs = 0, now: () => number = () => performance.now()): Refresher {
  let running = false;
  let wanted = false;
  let stopped = false;
  let lastStart = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const pump = () => {
    if (stopped || running || !wanted || timer !== null) return;
    const wait = lastStart + minIntervalMs - now();
    if (wait > 0) {
      timer = setTimeout(() => {
        timer = null;
        pump();
      }, wait);
      return;
    }
    wanted = false;
    running = true;
    lastStart = now();
    run()
      .catch(() => undefined)
      .finally(() => {
        running = false;
        pump();
      });
  };
  return {
    trigger() {
      wanted = true;
      pump();
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
