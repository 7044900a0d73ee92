/**
 * What the worker streams to the displays for the current model: loss metrics and status, decoder
 * weights, the manifold, the test set's codes and the per-epoch test ELBO, spread over training turns.
 */
import type { ImageDataset } from '../core/data/dataset';
import { TrainingDivergedError, type StepMetrics } from '../core/train/trainer';
import { EncodeJob, EvaluateJob } from './jobs';
import type { ActiveModel } from './model';
import type { ManifoldView, TrainingStatus, WorkerEvent } from './protocol';
import { fitView, renderManifold } from './readouts';
import { Throughput } from './throughput';

/** How often the worker reports; defaults suit a 2-core machine. */
export interface Timing {
  /** Read losses back every this many steps. */
  metricsEvery: number;
  /** Post decoder weights and the manifold at most this often while training. */
  weightsEveryMs: number;
  /** Re-encode the test set at most this often while training... */
  latentsMinIntervalMs: number;
  /** ...and spend at most about this share of the time on it (and on the manifold: a conv decoder's grid costs seconds). */
  latentsShare: number;
  /** Examples per encoder/evaluation batch. */
  batchRows: number;
  /** Longest pause of training while the page draws (quiet-gate.ts). */
  maxQuietMs: number;
}

/** The default timing. */
export const DEFAULT_TIMING: Timing = { metricsEvery: 10, weightsEveryMs: 300, latentsMinIntervalMs: 1500, latentsShare: 0.2, batchRows: 1000, maxQuietMs: 200 };

/** What the displays read from the handler. */
export interface DisplaySource {
  post: (event: WorkerEvent) => void;
  now: () => number;
  timing: Timing;
  model: () => ActiveModel | null;
  test: () => ImageDataset | null;
  view: () => ManifoldView | null;
  training: () => boolean;
}

/** The reporting state of one model: pending metrics, running jobs, when things were last sent. */
export class Displays {
  /** Training steps whose metrics have not been read yet. */
  unread = 0;
  private encodeJob: EncodeJob | null = null;
  private evaluateJob: EvaluateJob | null = null;
  private evaluatedEpoch = 0;
  private lastWeightsAt = -Infinity;
  private lastLatentsAt = -Infinity;
  private lastLatentsBusyMs = 0;
  /** How long the last weights-and-manifold update took while training. */
  private lastManifoldBusyMs = 0;
  /** `generation:step` of the codes last posted. */
  private latentsKey = '';
  readonly throughput = new Throughput();

  constructor(private readonly src: DisplaySource) {}

  /** Forgets everything about the previous model. */
  clear(): void {
    this.encodeJob = null;
    this.evaluateJob = null;
    this.evaluatedEpoch = 0;
    this.unread = 0;
    this.latentsKey = '';
    this.throughput.reset();
  }

  /** Reads the queued losses and posts them with the status. */
  async readAndPostMetrics(): Promise<void> {
    const s = this.src.model()?.session;
    if (!s || this.unread === 0) return;
    this.unread = 0;
    let metrics: StepMetrics[];
    try {
      metrics = await s.readMetrics();
    } catch (err) {
      if (err instanceof TrainingDivergedError && err.restoredStep !== null) this.rolledBack(s.generation, err.restoredStep);
      throw err;
    }
    this.throughput.record(this.src.now(), s.step);
    this.src.post({ type: 'metrics', generation: s.generation, metrics });
    this.postStatus();
  }

  /**
   * The weights went back to `step`: the page drops the later losses and evaluations, and the codes,
   * weights and manifold are redone from the restored weights at the next refresh (not from jobs begun on bad ones).
   */
  private rolledBack(generation: number, step: number): void {
    this.encodeJob = null;
    this.evaluateJob = null;
    this.latentsKey = '';
    this.lastWeightsAt = -Infinity;
    this.evaluatedEpoch = Math.min(this.evaluatedEpoch, this.src.model()?.session?.epoch ?? 0);
    this.throughput.reset();
    this.src.post({ type: 'rollback', generation, step });
    this.postStatus();
  }

  /** Posts where training stands (all zeros for a model that does not train yet). */
  postStatus(): void {
    const m = this.src.model();
    if (!m) return;
    const s = m.session;
    const training = this.src.training();
    const status: TrainingStatus = {
      generation: m.info.generation,
      training,
      step: s?.step ?? 0,
      epoch: s?.epoch ?? 0,
      epochProgress: s?.epochProgress ?? 0,
      stepsPerEpoch: s?.stepsPerEpoch ?? 0,
      examplesPerSecond: s && training ? this.throughput.examplesPerSecond(s.config.batchSize) : 0,
    };
    this.src.post({ type: 'status', status });
  }

  /** While training: the epoch's test ELBO first, else a slice of test-set encoding, then weights when due. */
  async backgroundWork(): Promise<void> {
    const m = this.src.model();
    const test = this.src.test();
    if (!m?.session || !test) return;
    const s = m.session;
    if (!this.evaluateJob && s.epoch > this.evaluatedEpoch) {
      this.evaluateJob = new EvaluateJob(s.vae, test, s.epoch, s.step, this.src.timing.batchRows);
    }
    const now = this.src.now();
    const { latentsMinIntervalMs, latentsShare, weightsEveryMs } = this.src.timing;
    if (this.evaluateJob) {
      await this.stepEvaluation();
    } else {
      const wait = Math.max(latentsMinIntervalMs, (this.lastLatentsBusyMs * (1 - latentsShare)) / latentsShare);
      if (!this.encodeJob && now - this.lastLatentsAt >= wait) this.encodeJob = this.newEncodeJob();
      if (this.encodeJob) await this.stepEncoding();
    }
    // The manifold gets the same share of the time as the codes: an MLP's takes milliseconds (every weightsEveryMs), a conv decoder's far more.
    const manifoldWait = Math.max(weightsEveryMs, (this.lastManifoldBusyMs * (1 - latentsShare)) / latentsShare);
    if (now - this.lastWeightsAt >= manifoldWait) {
      const started = this.src.now();
      await this.postWeightsAndManifold();
      this.lastManifoldBusyMs = this.src.now() - started;
    }
  }

  private newEncodeJob(): EncodeJob | null {
    const m = this.src.model();
    const test = this.src.test();
    if (!m?.codec.encode || !test) return null;
    return new EncodeJob(m.codec, test, m.session?.step ?? 0, this.src.timing.batchRows, this.src.now);
  }

  private async stepEvaluation(): Promise<void> {
    const job = this.evaluateJob!;
    await job.work();
    if (!job.done) return;
    this.evaluateJob = null;
    this.evaluatedEpoch = job.epoch;
    this.src.post({ type: 'evaluation', generation: this.src.model()!.info.generation, epoch: job.epoch, step: job.step, summary: job.summary() });
  }

  private async stepEncoding(): Promise<void> {
    const job = this.encodeJob!;
    await job.work();
    if (!job.done) return;
    this.encodeJob = null;
    this.lastLatentsAt = this.src.now();
    this.lastLatentsBusyMs = job.busyMs;
    const generation = this.src.model()!.info.generation;
    this.latentsKey = `${generation}:${job.step}`;
    this.src.post({ type: 'latents', generation, step: job.step, ...job.result() });
  }

  /** Encodes the whole test set now, unless its codes for this model and step were already posted. */
  async encodeAll(): Promise<void> {
    const m = this.src.model();
    if (!m || this.latentsKey === `${m.info.generation}:${m.session?.step ?? 0}`) return;
    const step = m.session?.step ?? 0;
    this.encodeJob = this.encodeJob && this.encodeJob.step === step ? this.encodeJob : this.newEncodeJob();
    while (this.encodeJob) await this.stepEncoding();
  }

  /** Posts the decoder weights (when the main thread can decode with them) and the manifold. */
  async postWeightsAndManifold(): Promise<void> {
    const m = this.src.model();
    if (!m) return;
    this.lastWeightsAt = this.src.now();
    const decoder = await m.snapshot();
    if (decoder) this.src.post({ type: 'weights', generation: m.info.generation, step: m.session?.step ?? 0, decoder });
    await this.postManifold(null);
  }

  /** Renders the manifold for the current view; `id` is the view request it answers, or null. */
  async postManifold(id: number | null): Promise<void> {
    const m = this.src.model();
    if (!m) return;
    const { n, plane, base } = fitView(this.src.view(), m.codec.latentDim);
    const images = await renderManifold(m.codec, n, plane, base);
    this.src.post({ type: 'manifold', id, generation: m.info.generation, step: m.session?.step ?? 0, n, pixels: m.codec.inputDim, images });
  }

  /** Brings every display up to date (after a pause, a step, a new model): metrics, weights, manifold, test codes. */
  async refreshAll(): Promise<void> {
    const m = this.src.model();
    if (!m) return;
    try {
      await this.readAndPostMetrics();
    } catch (err) {
      this.src.post({ type: 'error', id: null, message: err instanceof Error ? err.message : String(err) });
    }
    const s = m.session;
    const test = this.src.test();
    if (s && test && !this.evaluateJob && s.epoch > this.evaluatedEpoch) {
      this.evaluateJob = new EvaluateJob(s.vae, test, s.epoch, s.step, this.src.timing.batchRows);
    }
    while (this.evaluateJob) await this.stepEvaluation();
    await this.postWeightsAndManifold();
    await this.encodeAll();
    this.postStatus();
  }
}
