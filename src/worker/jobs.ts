/** Work the worker spreads over many loop turns: encoding the test set, and the per-epoch test ELBO. */
import type { ImageDataset } from '../core/data/dataset';
import type { Codec } from '../core/model/codec';
import type { ElboSummary } from '../core/model/evaluate';
import type { Vae } from '../core/model/vae';
import { elboSums, encodeDataset, sliceDataset, summarise } from './readouts';

/** Encodes a dataset batch by batch; `result` is set when all batches are done. */
export class EncodeJob {
  private next = 0;
  private readonly means: Float32Array;
  private readonly logVars: Float32Array;

  constructor(
    private readonly codec: Codec,
    private readonly data: ImageDataset,
    /** The model step the codes belong to (when the job started). */
    readonly step: number,
    private readonly batchRows: number,
  ) {
    this.means = new Float32Array(data.count * codec.latentDim);
    this.logVars = new Float32Array(data.count * codec.latentDim);
  }

  /** True when every example is encoded. */
  get done(): boolean {
    return this.next >= this.data.count;
  }

  /** Examples it encodes. */
  get count(): number {
    return this.data.count;
  }

  /** Examples encoded so far. */
  get encoded(): number {
    return this.next;
  }

  /** Encodes the next batch. */
  async work(): Promise<void> {
    if (this.done) return;
    const slice = sliceDataset(this.data, this.next, this.batchRows);
    const { means, logVars } = await encodeDataset(this.codec, slice);
    const offset = this.next * this.codec.latentDim;
    this.means.set(means, offset);
    this.logVars.set(logVars, offset);
    this.next += slice.count;
  }

  /** The codes, [count, latentDim] each (call when done; the buffers are handed over). */
  result(): { count: number; latentDim: number; means: Float32Array; logVars: Float32Array } {
    return { count: this.data.count, latentDim: this.codec.latentDim, means: this.means, logVars: this.logVars };
  }
}

/** The test-set negative ELBO (beta = 1) after an epoch, computed slice by slice. */
export class EvaluateJob {
  private next = 0;
  private sums = { reconstruction: 0, kl: 0, count: 0 };

  constructor(
    private readonly vae: Vae,
    private readonly data: ImageDataset,
    /** Epochs done when the evaluation started. */
    readonly epoch: number,
    /** Model step when it started. */
    readonly step: number,
    private readonly batchRows: number,
  ) {}

  /** True when the whole split is evaluated. */
  get done(): boolean {
    return this.next >= this.data.count;
  }

  /** Evaluates the next slice (the noise seed depends only on the position, so results are reproducible). */
  async work(): Promise<void> {
    if (this.done) return;
    const slice = sliceDataset(this.data, this.next, this.batchRows);
    const s = await elboSums(this.vae, slice, 12345 + this.next);
    this.sums = { reconstruction: this.sums.reconstruction + s.reconstruction, kl: this.sums.kl + s.kl, count: this.sums.count + s.count };
    this.next += slice.count;
  }

  /** Dataset means, nats per example. */
  summary(): ElboSummary {
    return summarise(this.sums);
  }
}
