/** A hand-written training record with invented zeros is not shown as a measurement ("test loss 0.00"). */
import { describe, expect, it } from 'vitest';
import { parseTraining } from '../../src/core/io/manifest-fields';

describe('parseTraining', () => {
  it('{"epochs": 0, "testElbo": 0} is a placeholder: no record at all', () => {
    const bad: string[] = [];
    expect(parseTraining({ epochs: 0, testElbo: 0 }, bad)).toBeUndefined();
    expect(bad).toEqual([]);
  });

  it('a test ELBO of exactly 0 is dropped, the rest of a real record stays', () => {
    const bad: string[] = [];
    expect(parseTraining({ epochs: 12, testElbo: 0, steps: 500 }, bad)).toEqual({ epochs: 12, steps: 500 });
  });

  it("the CLI's --epochs 0 record (a measured ELBO of the untrained weights) is kept", () => {
    const bad: string[] = [];
    expect(parseTraining({ epochs: 0, testElbo: -543.22, steps: 0 }, bad)).toEqual({ epochs: 0, testElbo: -543.22, steps: 0 });
  });

  it('a real record is read as written', () => {
    const bad: string[] = [];
    expect(parseTraining({ epochs: 50, testElbo: -138.85, testIwae: -135.84 }, bad)).toEqual({ epochs: 50, testElbo: -138.85, testIwae: -135.84 });
  });
});
