/**
 * What the worker streams to the displays for the current model: loss metrics and status, decoder
 * weights, the manifold, the test set's codes and the per-epoch test ELBO, spread over training turns.
 */
import { takeFirst, type ImageDataset } from '../core/data/dataset';
import { TrainingDivergedError, type StepMetrics } from '../core/train/trainer';
import { EncodeJob, EvaluateJob } from './jobs';
import type { ActiveModel } from './model';
import type { TrainingSession } from './session';
import type { ManifoldView, TrainingStatus, WorkerEvent } from './protocol';
import { fitView, renderManifold } from './readouts';
import { Throughput } from './throughput';
import { DisplayTurns, partOfShare, type DisplayWork } from './display-turns';
import { TimeShares } from './time-shares';

/** How often the worker reports; defaults suit a 2-core machine. */
export interface Timing {
  /** Read losses back every this many steps... */
  metricsEvery: number;
  /** ...and post them, with the status, at most this often while training. */
  postEveryMs: number;
  /**
   * Post the decoder weights (for the page's copies that decode a dragged point) at most this often
   * while training (a snapshot of the default decoder's 530,000 weights took 10-17 ms on wasm on 2 cores)...
   */
  weightsEveryMs: number;
  /** ...and render the manifold at most this often. */
  manifoldEveryMs: number;
  /** Re-encode the test set at most this often while training. */
  latentsMinIntervalMs: number;
  /**
   * The displays' share of the worker's time while training (time-budget.ts): the codes, the
   * test ELBO and the manifold together. Measured by `npm run bench` (bench/app-run.ts): the app's
   * rate with the panels live over its rate with them off.
   */
  displayShare: number;
  /**
   * Examples per encoder/evaluation batch: one piece of display work. Each piece is paid back out of
   * the displays' share before the next turn, so smaller pieces let the manifold, the codes and the
   * test ELBO take turns more often (with 1,000 and a busy CPU the manifold waited up to a minute).
   */
  batchRows: number;
  /** Longest pause of training while the page draws (quiet-gate.ts)... */
  maxQuietMs: number;
  /** ...and the most of the worker's time such pauses take together while training. */
  quietShare: number;
  /** Train for about this long (ms; at least one step) before letting messages in (handler.ts trainTurn). */
  turnMs: number;
}

/** The default timing. */
export const DEFAULT_TIMING: Timing = { metricsEvery: 10, postEveryMs: 500, weightsEveryMs: 2000, manifoldEveryMs: 1000, latentsMinIntervalMs: 1500, displayShare: 0.015, batchRows: 250, maxQuietMs: 200, quietShare: 0.08, turnMs: 12 };

/**
 * Test images the scatter shows while the model trains (all of them when paused): within the
 * displays' share of the time, encoding 10,000 took 40-60 s for the MLPs and minutes for conv, so the
 * scatter would move about once a minute; 2,000 refresh every several seconds (at most: see codesWhileTraining).
 */
const CODES_WHILE_TRAINING = 2000;

/** The most of the worker's time the decoder weights take while training, on their own clock. */
const WEIGHTS_SHARE = 0.01;

/** The fewest test images the scatter shows while training: a few dozen of each class. */
const MIN_CODES_WHILE_TRAINING = 250;

/**
 * How long one refresh of the scatter may take while training (ms of wall time): the codes get about
 * half of the displays' share (every other turn), so a model whose encoder is slow shows fewer test
 * images rather than a stale scatter. A conv encoder costs about 0.15 ms an image on wasm (a piece of
 * 250 in 40 ms, measured beside other work): 2,000 take about 40 s at the codes' part of a 1.5% share, and
 * a fresh conv model's scatter stayed one dot at the origin for over a minute (waiting behind manifolds too).
 */
const CODES_REFRESH_MS = 10_000;

/**
 * Test images to encode for one refresh of the scatter while training, from the measured cost of
 * encoding one (ms; 0 or NaN when not measured yet) and the displays' share of the time: as many as
 * fit in CODES_REFRESH_MS, in whole pieces of `batchRows`, from MIN_CODES_WHILE_TRAINING to CODES_WHILE_TRAINING.
 */
export function codesWhileTraining(msPerImage: number, displayShare: number, batchRows: number): number {
  if (!(msPerImage > 0)) return CODES_WHILE_TRAINING;
  const affordable = (CODES_REFRESH_MS * displayShare * partOfShare('codes')) / msPerImage;
  const pieces = Math.floor(affordable / batchRows) * batchRows;
  return Math.max(MIN_CODES_WHILE_TRAINING, Math.min(CODES_WHILE_TRAINING, pieces));
}

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
  /** Losses read but not posted yet (of model generation `heldGeneration`). */
  private held: StepMetrics[] = [];
  private heldGeneration = 0;
  private lastMetricsPostAt = -Infinity;
  private encodeJob: EncodeJob | null = null;
  private evaluateJob: EvaluateJob | null = null;
  private evaluatedEpoch = 0;
  private lastManifoldAt = -Infinity;
  /** When the decoder weights were last posted (they also go on their own clock: see backgroundWork)... */
  private lastSnapshotAt = -Infinity;
  /** ...and the interval to the next post (weightsEveryMs, longer after a slow snapshot). */
  private weightsGapMs = 0;
  private lastLatentsAt = -Infinity;
  /** The measured cost of encoding one test image for the scatter, ms (0: not measured yet). */
  private msPerCode = 0;
  /** `generation:step` of the codes last posted. */
  private latentsKey = '';
  readonly throughput = new Throughput();
  /** Where the worker's time goes while training (posted with the status). */
  readonly time: TimeShares;
  /** Whether the displays are updated while training (off: training has the worker to itself). */
  live = true;

  /** The display work's turns, each kind within its part of the displays' share (display-turns.ts). */
  private readonly turns: DisplayTurns;

  constructor(private readonly src: DisplaySource) {
    this.time = new TimeShares(src.now);
    this.turns = new DisplayTurns(src.timing.displayShare, src.now);
  }

  /** Fills every display budget (training starts: the first displays come at once). */
  refillBudgets(): void {
    this.turns.refillAll();
  }

  /** Forgets everything about the previous model. */
  clear(): void {
    this.encodeJob = null;
    this.evaluateJob = null;
    this.evaluatedEpoch = 0;
    this.unread = 0;
    this.held = [];
    this.latentsKey = '';
    this.throughput.reset();
  }

  /**
   * Reads the queued losses and posts them with the status: at once with `flush`, else held back
   * until `postEveryMs` has passed since the last post (while training: fewer messages and fewer
   * renders of the page, the same losses).
   */
  async readAndPostMetrics(flush = true): Promise<void> {
    const s = this.src.model()?.session;
    if (s && this.unread > 0) {
      this.unread = 0;
      let metrics: StepMetrics[];
      try {
        metrics = await s.readMetrics();
      } catch (err) {
        this.postHeldMetrics();
        if (err instanceof TrainingDivergedError && err.restoredStep !== null) this.rolledBack(s.generation, err.restoredStep);
        throw err;
      }
      this.throughput.record(this.src.now(), s.step);
      this.held.push(...metrics);
      this.heldGeneration = s.generation;
    }
    if (flush || this.src.now() - this.lastMetricsPostAt >= this.src.timing.postEveryMs) this.postHeldMetrics();
  }

  /** Posts the losses held back, and the status. */
  private postHeldMetrics(): void {
    if (this.held.length > 0) this.src.post({ type: 'metrics', generation: this.heldGeneration, metrics: this.held });
    this.held = [];
    this.lastMetricsPostAt = this.src.now();
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
    this.lastManifoldAt = -Infinity;
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
      liveDisplays: this.live,
    };
    if (training) status.timeShares = this.time.report();
    this.src.post({ type: 'status', status });
  }

  /**
   * While training, within the displays' share of the time (time-budget.ts), one piece of the
   * display work that is due, in turns: the decoder weights with the manifold, a slice of the epoch's
   * test ELBO, a slice of the test-set codes; each within its own part of the share (display-turns.ts), so
   * no one of them, however slow, starves the others.
   */
  async backgroundWork(): Promise<void> {
    const m = this.src.model();
    const test = this.src.test();
    // The decoder weights on their own clock, outside the turns and outside their share: the page's copies
    // decode drags with them, while a conv model's manifold (seconds) comes round only every half minute or
    // so within the share. Charged to the share, weights every 2 s spent all of it on a busy CPU (30-40 ms
    // each, one of 280 ms after a reset) and the scatter and the manifold stopped. So they keep to about
    // WEIGHTS_SHARE of the time by themselves: a slow snapshot stretches the interval, up to 4x.
    if (m?.session && this.live && this.src.now() - this.lastSnapshotAt >= this.weightsGapMs) {
      const started = this.src.now();
      await this.postWeights();
      const took = this.src.now() - started;
      this.time.add('weights', took);
      const { weightsEveryMs } = this.src.timing;
      this.weightsGapMs = Math.min(4 * weightsEveryMs, Math.max(weightsEveryMs, took / WEIGHTS_SHARE));
    }
    if (!m?.session || !test || !this.live) return;
    const s = m.session;
    this.startDueEvaluation(s, test);
    const now = this.src.now();
    const { latentsMinIntervalMs, manifoldEveryMs } = this.src.timing;
    if (!this.encodeJob && now - this.lastLatentsAt >= latentsMinIntervalMs) this.encodeJob = this.newEncodeJob(false);
    const due: Record<DisplayWork, boolean> = { manifold: now - this.lastManifoldAt >= manifoldEveryMs, evaluation: this.evaluateJob !== null, codes: this.encodeJob !== null };
    const next = this.turns.next(due);
    if (next === null) return;
    const work = { manifold: () => this.postManifoldTurn(), evaluation: () => this.stepEvaluation(), codes: () => this.stepEncoding() }[next];
    await this.timed(next, work);
  }

  /** Runs one piece of display work, charged to its budget and to its part of the time split. */
  private async timed(use: DisplayWork, work: () => Promise<void>): Promise<void> {
    const started = this.src.now();
    try {
      await work();
    } finally {
      const ms = this.src.now() - started;
      this.time.add(use, ms);
      this.turns.spend(use, ms);
    }
  }

  /**
   * A job encoding the test set for the scatter: all of it (`whole`), or while training its first
   * few (`codesWhileTraining`: as many as the measured cost allows; the whole set again on Pause).
   */
  private newEncodeJob(whole: boolean): EncodeJob | null {
    const m = this.src.model();
    const test = this.src.test();
    if (!m?.codec.encode || !test) return null;
    const { displayShare, batchRows } = this.src.timing;
    const data = whole ? test : takeFirst(test, codesWhileTraining(this.msPerCode, displayShare, batchRows));
    return new EncodeJob(m.codec, data, m.session?.step ?? 0, this.src.timing.batchRows);
  }

  /** Starts evaluating the test set when an epoch has ended since the last evaluation and none is running. */
  private startDueEvaluation(s: TrainingSession, test: ImageDataset): void {
    if (!this.evaluateJob && s.epoch > this.evaluatedEpoch) this.evaluateJob = new EvaluateJob(s.vae, test, s.epoch, s.step, this.src.timing.batchRows);
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
    const [started, before] = [this.src.now(), job.encoded];
    await job.work();
    const images = job.encoded - before;
    if (images > 0) this.msPerCode = (this.src.now() - started) / images; // the latest piece: the model and the CPU change
    if (!job.done) return;
    this.encodeJob = null;
    this.lastLatentsAt = this.src.now();
    const generation = this.src.model()!.info.generation;
    if (job.count === this.src.test()?.count) this.latentsKey = `${generation}:${job.step}`; // a part of the set leaves the whole still to do
    this.src.post({ type: 'latents', generation, step: job.step, ...job.result() });
  }

  /** Encodes the whole test set now, unless its codes for this model and step were already posted. */
  async encodeAll(): Promise<void> {
    const m = this.src.model();
    if (!m || this.latentsKey === `${m.info.generation}:${m.session?.step ?? 0}`) return;
    const step = m.session?.step ?? 0;
    const test = this.src.test();
    this.encodeJob = this.encodeJob && this.encodeJob.step === step && this.encodeJob.count === test?.count ? this.encodeJob : this.newEncodeJob(true);
    while (this.encodeJob) await this.stepEncoding();
  }

  /** Posts the decoder weights (when the page can decode with a copy of them) and the manifold. */
  async postWeightsAndManifold(): Promise<void> {
    await this.postWeights();
    await this.postManifoldTurn();
  }

  /** Posts the decoder weights for the page's copies (main thread or decoder worker), when the model gives them. */
  private async postWeights(): Promise<void> {
    const m = this.src.model();
    if (!m) return;
    this.lastSnapshotAt = this.src.now();
    const decoder = await m.snapshot();
    if (decoder) this.src.post({ type: 'weights', generation: m.info.generation, step: m.session?.step ?? 0, decoder });
  }

  /** The manifold's turn: renders and posts it for the current view. */
  private async postManifoldTurn(): Promise<void> {
    if (!this.src.model()) return;
    this.lastManifoldAt = this.src.now();
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

  /**
   * Brings every display up to date (after a pause, a step, a new model): weights, metrics, manifold, test
   * codes. The weights go first, before the status the metrics carry: once the page shows training paused,
   * its decoder copy is the model's. `weightsPosted`: the caller has just sent them (a new model's reply).
   */
  async refreshAll(weightsPosted = false): Promise<void> {
    const m = this.src.model();
    if (!m) return;
    if (!weightsPosted) await this.postWeights();
    try {
      await this.readAndPostMetrics();
    } catch (err) {
      this.src.post({ type: 'error', id: null, message: err instanceof Error ? err.message : String(err) });
    }
    const s = m.session;
    const test = this.src.test();
    // The latest epoch's test ELBO: an evaluation begun earlier (of an older epoch) finishes first.
    if (s && test) this.startDueEvaluation(s, test);
    while (this.evaluateJob) {
      await this.stepEvaluation();
      if (s && test) this.startDueEvaluation(s, test);
    }
    await this.postManifoldTurn();
    await this.encodeAll();
    this.postStatus();
  }
}
