/**
 * Where the training worker's wall time goes while it trains: the steps themselves, reading the
 * losses back, the displays' work (the test-set codes for the scatter, the epoch's test ELBO, the
 * manifold, the decoder weights for the page's copies), and pauses the page asked for while it draws (quiet-gate.ts).
 * Whatever is left is the event loop and messages. Pure bookkeeping over an injected clock.
 */

/** The parts of a training turn that are timed. */
export type TimeUse = 'train' | 'metrics' | 'codes' | 'evaluation' | 'manifold' | 'weights' | 'parked';

const USES: readonly TimeUse[] = ['train', 'metrics', 'codes', 'evaluation', 'manifold', 'weights', 'parked'];
const zero = (): Record<TimeUse, number> => ({ train: 0, metrics: 0, codes: 0, evaluation: 0, manifold: 0, weights: 0, parked: 0 });

/** Fractions of the wall time since training started, per part, plus `other` (the rest); each in [0, 1]. */
export type TimeShareReport = Record<TimeUse | 'other', number>;

/** Milliseconds per part since `start`. */
export class TimeShares {
  private spent = zero();
  private startedAt = 0;

  constructor(private readonly now: () => number) {
    this.startedAt = now();
  }

  /** Starts counting again (training starts, the model changes). */
  start(): void {
    this.spent = zero();
    this.startedAt = this.now();
  }

  /** Adds `ms` to `use`. */
  add(use: TimeUse, ms: number): void {
    this.spent[use] += ms;
  }

  /** Times `body` as `use`; its result is passed through. */
  async time<T>(use: TimeUse, body: () => Promise<T> | T): Promise<T> {
    const started = this.now();
    try {
      return await body();
    } finally {
      this.add(use, this.now() - started);
    }
  }

  /** The shares of the wall time since `start` (all zeros before any time has passed). */
  report(): TimeShareReport {
    const wall = this.now() - this.startedAt;
    const share = (ms: number) => (wall > 0 ? Math.round((ms / wall) * 1000) / 1000 : 0);
    const report = { other: share(Math.max(0, wall - USES.reduce((sum, use) => sum + this.spent[use], 0))) } as TimeShareReport;
    for (const use of USES) report[use] = share(this.spent[use]);
    return report;
  }
}
