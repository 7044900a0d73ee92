/**
 * Which display work runs next while training, and within which share of the worker's time. The
 * kinds take turns (TURNS: the scatter's codes every other turn, since they take several pieces and
 * people watch the scatter move; the manifold and the epoch's test ELBO in between), and each kind has
 * its own part of the displays' share (a token bucket, time-budget.ts), in proportion to its turns: a
 * slow piece of one kind (a conv model's manifold, 0.2-0.4 s on wasm) waits for its own part to pay it
 * back and does not hold up the others. With one bucket for all, a conv model's scatter moved about
 * twice a minute, each of its pieces queued behind a manifold and a slice of the test ELBO.
 */
import { TimeBudget } from './time-budget';

/** The kinds of display work done while training. */
export type DisplayWork = 'manifold' | 'evaluation' | 'codes';

/** The order of the turns. */
const TURNS: readonly DisplayWork[] = ['manifold', 'codes', 'evaluation', 'codes'];

/** The part of the displays' share that `work` gets: its turns out of all turns (codes 1/2, the others 1/4). */
export function partOfShare(work: DisplayWork): number {
  return TURNS.filter((t) => t === work).length / TURNS.length;
}

/** The turns and the time budgets of the display work of one training worker. */
export class DisplayTurns {
  private readonly budgets: Record<DisplayWork, TimeBudget>;
  /** The index in TURNS of the work done last. */
  private lastTurn = TURNS.length - 1;

  /** `displayShare`: the fraction of wall time all display work may take together, (0, 1]. */
  constructor(displayShare: number, now: () => number) {
    const budget = (work: DisplayWork) => new TimeBudget(displayShare * partOfShare(work), now);
    this.budgets = { manifold: budget('manifold'), codes: budget('codes'), evaluation: budget('evaluation') };
  }

  /** The work to do now: the next in turn that is due and has time left in its part of the share; null for none. */
  next(due: Readonly<Record<DisplayWork, boolean>>): DisplayWork | null {
    const turn = TURNS.map((_, i) => (this.lastTurn + 1 + i) % TURNS.length).find((t) => due[TURNS[t]] && this.budgets[TURNS[t]].available());
    if (turn === undefined) return null;
    this.lastTurn = turn;
    return TURNS[turn];
  }

  /** Pays for `ms` of `work` out of its part of the share. */
  spend(work: DisplayWork, ms: number): void {
    this.budgets[work].spend(ms);
  }

  /** Fills every part (training starts: the first displays come at once). */
  refillAll(): void {
    Object.values(this.budgets).forEach((b) => b.refillNow());
  }
}
