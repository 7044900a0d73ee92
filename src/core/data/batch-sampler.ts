/** Shuffled mini-batches copied from typed arrays (never sliced out of a large device tensor). */
import { createRng, shuffleInPlace, type Rng } from '../random';
import type { ImageDataset } from './dataset';

/** One batch, in reused buffers: valid until the next call to `next`. */
export interface Batch {
  /** [size, pixels] row-major, intensities in [0, 1] (or 0/1 when binarized). */
  pixels: Float32Array;
  /** [size] */
  labels: Uint8Array;
  /** Examples in this batch (the last batch of an epoch may be smaller). */
  size: number;
  /** 0-based epoch this batch belongs to. */
  epoch: number;
  /** 0-based index of this batch within its epoch. */
  index: number;
}

/** Options of a sampler. */
export interface SamplerOptions {
  /** Seed of the shuffles and the binarization draws. */
  seed: number;
  /** Draw each pixel as Bernoulli(intensity) every time it is used. */
  binarize?: boolean;
}

/** Visits a dataset in a new random order each epoch, batch by batch; can stop and resume anywhere. */
export class BatchSampler {
  private readonly rng: Rng;
  private readonly order: Uint32Array;
  private readonly pixelBuffer: Float32Array;
  private readonly labelBuffer: Uint8Array;
  private readonly pixels: number;
  private cursor = 0;
  private epochIndex = 0;
  private batchIndex = 0;

  constructor(
    private readonly dataset: ImageDataset,
    readonly batchSize: number,
    private readonly options: SamplerOptions,
  ) {
    if (dataset.count === 0) throw new Error('The dataset is empty: there is nothing to train on.');
    this.pixels = dataset.imageShape[0] * dataset.imageShape[1] * dataset.imageShape[2];
    this.rng = createRng(options.seed);
    this.order = Uint32Array.from({ length: dataset.count }, (_, i) => i);
    shuffleInPlace(this.order, this.rng);
    this.pixelBuffer = new Float32Array(batchSize * this.pixels);
    this.labelBuffer = new Uint8Array(batchSize);
  }

  /** Batches in one epoch (the last may be partial). */
  get batchesPerEpoch(): number {
    return Math.ceil(this.dataset.count / this.batchSize);
  }

  /** The epoch the next batch will come from (0-based). */
  get epoch(): number {
    return this.epochIndex;
  }

  /** Fraction of the current epoch already served, in [0, 1). */
  get epochProgress(): number {
    return this.cursor / this.dataset.count;
  }

  /** The next batch; starts a freshly shuffled epoch when the current one is used up. */
  next(): Batch {
    const size = Math.min(this.batchSize, this.dataset.count - this.cursor);
    const { images, labels } = this.dataset;
    for (let row = 0; row < size; row++) {
      const example = this.order[this.cursor + row];
      const source = images.subarray(example * this.pixels, (example + 1) * this.pixels);
      const target = this.pixelBuffer.subarray(row * this.pixels, (row + 1) * this.pixels);
      if (this.options.binarize) {
        for (let p = 0; p < this.pixels; p++) target[p] = this.rng() < source[p] ? 1 : 0;
      } else {
        target.set(source);
      }
      this.labelBuffer[row] = labels[example];
    }
    const batch: Batch = {
      pixels: size === this.batchSize ? this.pixelBuffer : this.pixelBuffer.subarray(0, size * this.pixels),
      labels: this.labelBuffer.subarray(0, size),
      size,
      epoch: this.epochIndex,
      index: this.batchIndex,
    };
    this.cursor += size;
    this.batchIndex++;
    if (this.cursor >= this.dataset.count) {
      this.cursor = 0;
      this.batchIndex = 0;
      this.epochIndex++;
      shuffleInPlace(this.order, this.rng);
    }
    return batch;
  }
}
