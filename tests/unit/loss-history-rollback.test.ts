import { describe, expect, it } from 'vitest';
import { LossHistory } from '../../src/app/loss-series';

const metric = (step: number, total: number) => ({ step, epoch: 0, total, reconstruction: total - 5, kl: 5, klWeight: 1 });

describe('LossHistory after a rollback', () => {
  it('drops the steps from the restored one on, smoothing included, and takes the new steps again', () => {
    const history = new LossHistory();
    history.append(Array.from({ length: 10 }, (_, i) => metric(i, 500 - 10 * i)));
    history.dropFrom(4);
    const fresh = new LossHistory();
    fresh.append(Array.from({ length: 4 }, (_, i) => metric(i, 500 - 10 * i)));
    expect(history.steps).toEqual([0, 1, 2, 3]);
    expect(history.raw).toEqual(fresh.raw);
    expect(history.smooth).toEqual(fresh.smooth);
    // Training again from step 4 appends (before, steps up to 9 made these look old and dropped them).
    history.append([metric(4, 300), metric(5, 290)]);
    expect(history.steps).toEqual([0, 1, 2, 3, 4, 5]);
    expect(history.raw.total.slice(-2)).toEqual([300, 290]);
    history.dropFrom(0);
    expect(history.length).toBe(0);
  });
});
