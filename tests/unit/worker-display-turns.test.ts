/** The display work's turns while training (src/worker/display-turns.ts), on a clock the test moves. */
import { describe, expect, it } from 'vitest';
import { DisplayTurns, partOfShare, type DisplayWork } from '../../src/worker/display-turns';

const ALL_DUE: Record<DisplayWork, boolean> = { manifold: true, codes: true, evaluation: true };

/** Ten minutes of training steps of `stepMs`, display work between them at the given cost per piece. */
function simulate(share: number, stepMs: number, costMs: Record<DisplayWork, number>, due = ALL_DUE) {
  let t = 0;
  const turns = new DisplayTurns(share, () => t);
  const spent: Record<DisplayWork, number> = { manifold: 0, codes: 0, evaluation: 0 };
  const at: Record<DisplayWork, number[]> = { manifold: [], codes: [], evaluation: [] };
  while (t < 600_000) {
    t += stepMs; // a training step
    const work = turns.next(due);
    if (work === null) continue;
    at[work].push(t);
    t += costMs[work];
    spent[work] += costMs[work];
    turns.spend(work, costMs[work]);
  }
  const gaps = (w: DisplayWork) => at[w].slice(1).map((x, i) => x - at[w][i]);
  return { spent, at, gaps, elapsed: t };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('DisplayTurns', () => {
  it('gives each kind of work its part of the share and no more: the codes half, the manifold and the test ELBO a quarter', () => {
    expect([partOfShare('codes'), partOfShare('manifold'), partOfShare('evaluation')]).toEqual([0.5, 0.25, 0.25]);
    const { spent, elapsed } = simulate(0.015, 400, { manifold: 300, codes: 40, evaluation: 500 });
    for (const work of ['manifold', 'codes', 'evaluation'] as const) {
      const share = spent[work] / elapsed;
      expect(share, work).toBeLessThanOrEqual(0.015 * partOfShare(work) * 1.05 + 500 / 600_000);
      expect(share, work).toBeGreaterThan(0.015 * partOfShare(work) * 0.8); // and it gets what it is given
    }
  });

  it("a conv model's slow manifold and test ELBO do not hold up the scatter's codes", () => {
    // Costs measured on wasm for the conv VAE: a 250-image piece of codes ~40 ms, the 15x15 manifold
    // ~250 ms, a 250-image piece of the test ELBO ~500 ms; a training step ~400 ms.
    const { gaps } = simulate(0.015, 400, { manifold: 250, codes: 40, evaluation: 500 });
    // A piece of codes as soon as its own part of the share has paid the last one back (40 / 0.0075 = 5.3 s),
    // not after a manifold and a slice of the ELBO (with one budget for all: every ~50 s).
    expect(median(gaps('codes'))).toBeLessThan(7_000);
    expect(median(gaps('manifold'))).toBeLessThan(80_000);
  });

  it('cheap work takes turns in order, and work that is not due is skipped', () => {
    const { at } = simulate(1, 10, { manifold: 1, codes: 1, evaluation: 1 });
    const first = [...at.manifold.slice(0, 2), ...at.codes.slice(0, 4), ...at.evaluation.slice(0, 2)].sort((a, b) => a - b);
    const kind = (x: number) => (at.manifold.includes(x) ? 'manifold' : at.codes.includes(x) ? 'codes' : 'evaluation');
    expect(first.map(kind)).toEqual(['manifold', 'codes', 'evaluation', 'codes', 'manifold', 'codes', 'evaluation', 'codes']);
    const onlyCodes = simulate(1, 10, { manifold: 1, codes: 1, evaluation: 1 }, { manifold: false, codes: true, evaluation: false });
    expect([onlyCodes.at.manifold.length, onlyCodes.at.evaluation.length]).toEqual([0, 0]);
    expect(onlyCodes.at.codes.length).toBeGreaterThan(1000);
  });
});
