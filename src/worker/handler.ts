/**
 * The training worker's logic, without the Worker: it takes requests and emits events through an
 * injected `post`, so it runs (and is tested) in Node too. It owns the model while it trains, trains
 * in small slices with a turn of the event loop between them (so Pause, Step and settings are
 * handled promptly), and streams metrics, decoder weights, manifold images and test-set codes.
 */
import type { DatasetSplits } from '../core/data/dataset';
import { TrainingDivergedError } from '../core/train/trainer';
import { EncodeJob, EvaluateJob } from './jobs';
import type { BackendChoice, BackendName, ManifoldView, TrainingStatus, WorkerEvent, WorkerRequest } from './protocol';
import { decoderSnapshot, fitView, imagesAsBytes, renderManifold } from './readouts';
import { TrainingSession } from './session';
import { Throughput } from './throughput';

/** How often the worker reports; defaults suit a 2-core machine. */
export interface Timing {
  /** Read losses back every this many steps. */
  metricsEvery: number;
  /** Post decoder weights and the manifold at most this often while training. */
  weightsEveryMs: number;
  /** Re-encode the test set at most this often while training... */
  latentsMinIntervalMs: number;
  /** ...and spend at most about this share of the time on it. */
  latentsShare: number;
  /** Examples per encoder/evaluation batch. */
  batchRows: number;
}

/** What the handler needs from its surroundings. */
export interface HandlerDeps {
  /** Sends an event to the main thread. */
  post: (event: WorkerEvent) => void;
  /** Starts a tfjs backend; resolves with its name and a label for people. */
  initBackend: (choice: BackendChoice) => Promise<{ name: BackendName; label: string }>;
  /** Loads the dataset, reporting progress. */
  loadData: (url: string, onProgress: (fraction: number, message: string) => void) => Promise<DatasetSplits>;
  /** Milliseconds clock. */
  now?: () => number;
  /** Lets pending messages be handled. */
  yieldToEvents?: () => Promise<void>;
  timing?: Partial<Timing>;
}

const DEFAULT_TIMING: Timing = { metricsEvery: 10, weightsEveryMs: 300, latentsMinIntervalMs: 1500, latentsShare: 0.2, batchRows: 1000 };

/** Plain words for anything thrown. */
function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The worker's state machine: one model, one dataset, requests in, events out. */
export class TrainingHandler {
  private readonly timing: Timing;
  private readonly now: () => number;
  private readonly yieldToEvents: () => Promise<void>;
  private data: DatasetSplits | null = null;
  private session: TrainingSession | null = null;
  private view: ManifoldView | null = null;
  private training = false;
  private loopRunning = false;
  private queue: Promise<unknown> = Promise.resolve();
  private unread = 0;
  private encodeJob: EncodeJob | null = null;
  private evaluateJob: EvaluateJob | null = null;
  private evaluatedEpoch = 0;
  private lastWeightsAt = -Infinity;
  private lastLatentsAt = -Infinity;
  private lastLatentsBusyMs = 0;
  private readonly throughput = new Throughput();

  constructor(private readonly deps: HandlerDeps) {
    this.timing = { ...DEFAULT_TIMING, ...deps.timing };
    this.now = deps.now ?? (() => performance.now());
    this.yieldToEvents = deps.yieldToEvents ?? (() => new Promise((resolve) => setTimeout(resolve, 0)));
  }

  /** True while training continuously. */
  get isTraining(): boolean {
    return this.training;
  }

  /** Handles one request; resolves when it is carried out (errors are posted, never thrown). */
  async handle(req: WorkerRequest): Promise<void> {
    try {
      switch (req.type) {
        case 'init':
          await this.exclusive(() => this.init(req));
          return; // `ready` is the reply
        case 'train':
          this.training = this.session !== null;
          this.throughput.reset(this.now(), this.session?.step);
          this.postStatus();
          this.startLoop();
          break;
        case 'pause':
          this.training = false;
          await this.exclusive(() => this.refreshAll());
          break;
        case 'step':
          this.training = false;
          await this.exclusive(async () => {
            this.requireSession().trainStep();
            this.unread++;
            await this.refreshAll();
          });
          break;
        case 'configure':
          await this.exclusive(async () => {
            await this.readAndPostMetrics();
            await this.requireSession().configure(req.config);
            this.postStatus();
          });
          break;
        case 'reset':
          this.training = false;
          await this.exclusive(async () => {
            this.session?.dispose();
            this.session = null;
            this.session = new TrainingSession(req.config, this.requireData().train, req.generation);
            this.clearJobs();
            await this.refreshAll();
          });
          break;
        case 'view':
          this.view = req.view;
          await this.exclusive(() => this.postManifold(req.id));
          return; // the manifold event is the reply
      }
      this.deps.post({ type: 'done', id: req.id });
    } catch (err) {
      if (req.type === 'init' || req.type === 'reset') this.training = false;
      this.deps.post({ type: 'error', id: req.id, message: messageOf(err) });
      if (this.session) this.postStatus();
    }
  }

  /** Runs `task` after every task queued before it (requests and loop turns never interleave). */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async init(req: Extract<WorkerRequest, { type: 'init' }>): Promise<void> {
    const backend = await this.deps.initBackend(req.backend);
    this.data = await this.deps.loadData(req.dataUrl, (fraction, message) => this.deps.post({ type: 'progress', fraction, message }));
    this.view = req.view;
    this.session = new TrainingSession(req.config, this.data.train, req.generation);
    const { test, train, name } = this.data;
    this.deps.post({
      type: 'ready',
      id: req.id,
      backend: backend.name,
      backendLabel: backend.label,
      datasetName: name,
      trainCount: train.count,
      testCount: test.count,
      imageShape: [...test.imageShape],
      testLabels: test.labels.slice(),
      testImages: imagesAsBytes(test),
    });
    await this.refreshAll();
  }

  private requireSession(): TrainingSession {
    if (!this.session) throw new Error('The model is not ready yet: the dataset is still loading.');
    return this.session;
  }

  private requireData(): DatasetSplits {
    if (!this.data) throw new Error('The dataset is not loaded yet.');
    return this.data;
  }

  private clearJobs(): void {
    this.encodeJob = null;
    this.evaluateJob = null;
    this.evaluatedEpoch = 0;
    this.unread = 0;
    this.throughput.reset();
  }

  private startLoop(): void {
    if (this.loopRunning || !this.training) return;
    this.loopRunning = true;
    void (async () => {
      try {
        while (this.training) {
          await this.exclusive(() => this.trainTurn());
          await this.yieldToEvents();
        }
      } finally {
        this.loopRunning = false;
      }
    })();
  }

  /** One step, plus whatever reporting is due. */
  private async trainTurn(): Promise<void> {
    if (!this.training || !this.session) return;
    try {
      this.session.trainStep();
      this.unread++;
      if (this.unread >= this.timing.metricsEvery) await this.readAndPostMetrics();
      await this.backgroundWork();
    } catch (err) {
      this.training = false;
      this.deps.post({ type: 'error', id: null, message: messageOf(err) });
      if (err instanceof TrainingDivergedError) await this.refreshAll();
      else this.postStatus();
    }
  }

  private async readAndPostMetrics(): Promise<void> {
    const s = this.session;
    if (!s || this.unread === 0) return;
    this.unread = 0;
    const metrics = await s.readMetrics();
    this.throughput.record(this.now(), s.step);
    this.deps.post({ type: 'metrics', generation: s.generation, metrics });
    this.postStatus();
  }

  private postStatus(): void {
    const s = this.session;
    if (!s) return;
    const status: TrainingStatus = {
      generation: s.generation,
      training: this.training,
      step: s.step,
      epoch: s.epoch,
      epochProgress: s.epochProgress,
      stepsPerEpoch: s.stepsPerEpoch,
      examplesPerSecond: this.training ? this.throughput.examplesPerSecond(s.config.batchSize) : 0,
    };
    this.deps.post({ type: 'status', status });
  }

  /** While training: the epoch's test ELBO first, else a slice of test-set encoding, then weights when due. */
  private async backgroundWork(): Promise<void> {
    const s = this.session!;
    const test = this.requireData().test;
    if (!this.evaluateJob && s.epoch > this.evaluatedEpoch) {
      this.evaluateJob = new EvaluateJob(s.vae, test, s.epoch, s.step, this.timing.batchRows);
    }
    const now = this.now();
    if (this.evaluateJob) {
      await this.stepEvaluation();
    } else {
      const wait = Math.max(this.timing.latentsMinIntervalMs, (this.lastLatentsBusyMs * (1 - this.timing.latentsShare)) / this.timing.latentsShare);
      if (!this.encodeJob && now - this.lastLatentsAt >= wait) this.encodeJob = this.newEncodeJob();
      if (this.encodeJob) await this.stepEncoding();
    }
    if (now - this.lastWeightsAt >= this.timing.weightsEveryMs) await this.postWeightsAndManifold();
  }

  private newEncodeJob(): EncodeJob {
    const s = this.session!;
    return new EncodeJob(s.vae, this.requireData().test, s.step, this.timing.batchRows, this.now);
  }

  private async stepEvaluation(): Promise<void> {
    const job = this.evaluateJob!;
    await job.work();
    if (!job.done) return;
    this.evaluateJob = null;
    this.evaluatedEpoch = job.epoch;
    this.deps.post({ type: 'evaluation', generation: this.session!.generation, epoch: job.epoch, step: job.step, summary: job.summary() });
  }

  private async stepEncoding(): Promise<void> {
    const job = this.encodeJob!;
    await job.work();
    if (!job.done) return;
    this.encodeJob = null;
    this.lastLatentsAt = this.now();
    this.lastLatentsBusyMs = job.busyMs;
    this.deps.post({ type: 'latents', generation: this.session!.generation, step: job.step, ...job.result() });
  }

  private async postWeightsAndManifold(): Promise<void> {
    const s = this.session!;
    this.lastWeightsAt = this.now();
    const decoder = await decoderSnapshot(s.vae);
    this.deps.post({ type: 'weights', generation: s.generation, step: s.step, decoder });
    await this.postManifold(null);
  }

  private async postManifold(id: number | null): Promise<void> {
    const s = this.session;
    if (!s) return;
    const { n, plane, base } = fitView(this.view, s.config.latentDim);
    const images = await renderManifold(s.vae, n, plane, base);
    this.deps.post({ type: 'manifold', id, generation: s.generation, step: s.step, n, pixels: s.config.inputDim, images });
  }

  /** Brings every display up to date (after a pause, a step, a reset): metrics, weights, manifold, test codes. */
  private async refreshAll(): Promise<void> {
    if (!this.session) return;
    try {
      await this.readAndPostMetrics();
    } catch (err) {
      this.deps.post({ type: 'error', id: null, message: messageOf(err) });
    }
    const s = this.session;
    if (!this.evaluateJob && s.epoch > this.evaluatedEpoch) {
      this.evaluateJob = new EvaluateJob(s.vae, this.requireData().test, s.epoch, s.step, this.timing.batchRows);
    }
    while (this.evaluateJob) await this.stepEvaluation();
    await this.postWeightsAndManifold();
    const job = this.encodeJob && this.encodeJob.step === s.step ? this.encodeJob : this.newEncodeJob();
    this.encodeJob = job;
    while (this.encodeJob) await this.stepEncoding();
    this.postStatus();
  }
}
