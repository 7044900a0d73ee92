/** Shares of the training worker's time: the token bucket (displays, quiet pauses) and the time split. */
import { describe, expect, it } from 'vitest';
import { TimeBudget } from '../../src/worker/time-budget';
import { TimeShares } from '../../src/worker/time-shares';

/** A clock the test moves by hand. */
function manualClock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('TimeBudget', () => {
  it('over a long run gives the displays no more than their share, whatever the size of each piece of work', () => {
    for (const pieceMs of [2, 15, 250, 3000]) {
      const clock = manualClock();
      const budget = new TimeBudget(0.06, clock.now);
      let displays = 0;
      const start = clock.now();
      while (clock.now() - start < 600_000) {
        if (budget.available()) {
          clock.advance(pieceMs); // display work
          budget.spend(pieceMs);
          displays += pieceMs;
        }
        clock.advance(10); // a training step
      }
      const share = displays / (clock.now() - start);
      expect(share).toBeLessThanOrEqual(0.06 + 1e-3 + pieceMs / 600_000);
      expect(share).toBeGreaterThan(0.05); // and it gets what it is given
    }
  });

  it('lets the first piece start at once, then waits until a long one is paid back', () => {
    const clock = manualClock();
    const budget = new TimeBudget(0.1, clock.now);
    expect(budget.available()).toBe(true);
    budget.spend(500);
    clock.advance(4000); // repays 400 of the 500 ms
    expect(budget.available()).toBe(false);
    clock.advance(1100);
    expect(budget.available()).toBe(true);
  });

  it('refuses a share outside (0, 1] in plain words', () => {
    expect(() => new TimeBudget(0, () => 0)).toThrow(/A share of the time must be in \(0, 1\]/);
    expect(() => new TimeBudget(1.5, () => 0)).toThrow(/share/);
  });
});

describe('TimeShares', () => {
  it('splits the wall time since start between the timed parts and the rest', async () => {
    const clock = manualClock();
    const shares = new TimeShares(clock.now);
    shares.start();
    await shares.time('train', () => void clock.advance(600));
    await shares.time('codes', async () => void clock.advance(100));
    clock.advance(50);
    shares.add('parked', 50); // measured by the parking itself
    clock.advance(250); // untimed: messages, the event loop
    const report = shares.report();
    expect(report).toMatchObject({ train: 0.6, codes: 0.1, evaluation: 0, manifold: 0, metrics: 0, parked: 0.05 });
    expect(report.other).toBeCloseTo(0.25, 3);
    shares.start();
    expect(Object.values(shares.report()).every((v) => v === 0)).toBe(true);
  });
});
