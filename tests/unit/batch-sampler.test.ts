import { describe, expect, it } from 'vitest';
import { BatchSampler } from '../../src/core/data/batch-sampler';
import type { ImageDataset } from '../../src/core/data/dataset';

/** 10 one-pixel images whose value and label encode their index. */
function tinyDataset(count = 10): ImageDataset {
  return {
    images: Float32Array.from({ length: count }, (_, i) => i / count),
    labels: Uint8Array.from({ length: count }, (_, i) => i),
    count,
    imageShape: [1, 1, 1],
  };
}

describe('BatchSampler', () => {
  it('visits every example exactly once per epoch, in a new order each epoch', () => {
    const sampler = new BatchSampler(tinyDataset(), 4, { seed: 7 });
    expect(sampler.batchesPerEpoch).toBe(3);
    const epochs: number[][] = [[], []];
    for (let i = 0; i < 6; i++) {
      const batch = sampler.next();
      expect(batch.epoch).toBe(Math.floor(i / 3));
      expect(batch.size).toBe(i % 3 === 2 ? 2 : 4); // the last batch of an epoch is partial
      // pixels and labels stay paired
      batch.labels.forEach((label, row) => expect(batch.pixels[row]).toBeCloseTo(label / 10));
      epochs[batch.epoch].push(...batch.labels);
    }
    for (const order of epochs) expect([...order].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epochs[0]).not.toEqual(epochs[1]);
    expect(epochs[0]).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('is reproducible from its seed', () => {
    const a = new BatchSampler(tinyDataset(), 5, { seed: 3 });
    const b = new BatchSampler(tinyDataset(), 5, { seed: 3 });
    const c = new BatchSampler(tinyDataset(), 5, { seed: 4 });
    const labelsOf = (s: BatchSampler) => [...s.next().labels, ...s.next().labels];
    const first = labelsOf(a);
    expect(labelsOf(b)).toEqual(first);
    expect(labelsOf(c)).not.toEqual(first);
  });

  it('dynamic binarization draws 0/1 pixels with the intensity as probability', () => {
    const count = 2000;
    const dataset: ImageDataset = { images: new Float32Array(count).fill(0.3), labels: new Uint8Array(count), count, imageShape: [1, 1, 1] };
    const sampler = new BatchSampler(dataset, count, { seed: 1, binarize: true });
    const { pixels } = sampler.next();
    expect(pixels.every((p) => p === 0 || p === 1)).toBe(true);
    const mean = pixels.reduce((s, p) => s + p, 0) / count;
    expect(mean).toBeGreaterThan(0.26);
    expect(mean).toBeLessThan(0.34);
  });

  it('refuses an empty dataset in plain words', () => {
    expect(() => new BatchSampler(tinyDataset(0), 4, { seed: 1 })).toThrow(/empty/);
  });
});
