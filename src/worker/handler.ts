/**
 * The training worker's logic, without the Worker: it takes requests and emits events through an
 * injected `post`, so it runs (and is tested) in Node too. It owns the model: it trains it in small
 * slices with a turn of the event loop between them (so Pause, Step and settings are handled
 * promptly), loads new models (fetched and validated completely before the current one is
 * replaced), saves the current one as files, and streams what the displays show (displays.ts).
 */
import { classNamesOf, labelCount } from '../core/data/class-names';
import type { DatasetSplits, ImageDataset } from '../core/data/dataset';
import { decodeEveryClass, decodePoint } from '../core/model/codec';
import type { LoadedModel } from '../core/io/load';
import { stepsFromFirst } from '../core/io/manifest-fields';
import { capMessage } from '../core/io/quote';
import { TrainingDivergedError } from '../core/train/trainer';
import type { DataProgress } from './dataset-source';
import { DEFAULT_TIMING, Displays, type Timing } from './displays';
import { decodeBatch, encodeImages } from './explore';
import { ActiveModel } from './model';
import { fetchModel, modelFiles, originOf, type SaveContext } from './model-files';
import type { BackendChoice, BackendName, KeptModel, ManifoldView, ModelSource, WorkerEvent, WorkerRequest } from './protocol';
import { imagesAsBytes } from './readouts';
import { QuietParking } from './quiet-gate';
import { TimeBudget } from './time-budget';
import type { TrainingSession } from './session';

export type { Timing } from './displays';

/** What the handler needs from its surroundings. */
export interface HandlerDeps {
  /** Sends an event to the main thread. */
  post: (event: WorkerEvent) => void;
  /** Starts a tfjs backend; resolves with its name and a label for people. */
  initBackend: (choice: BackendChoice) => Promise<{ name: BackendName; label: string }>;
  /**
   * Loads the address's dataset (or the built-in MNIST in its place), reporting progress, and hands over
   * the test split as soon as it is in; `skip` aborted: the built-in MNIST now (dataset-source.ts).
   */
  loadData: (url: string, onProgress: DataProgress, onTestSplit?: (test: ImageDataset) => void, skip?: AbortSignal) => Promise<DatasetSplits>;
  /** Fetches and validates a model (default: core io over fetch, or files in memory); `signal` cancels it. */
  loadModel?: (source: ModelSource, onProgress: (fraction: number) => void, buildAfter?: Promise<unknown>, signal?: AbortSignal) => Promise<LoadedModel>;
  /** Milliseconds clock. */
  now?: () => number;
  /** Lets pending messages be handled. */
  yieldToEvents?: () => Promise<void>;
  timing?: Partial<Timing>;
}

/** Most training steps between two trips through the event loop (see trainTurn). */
const MAX_STEPS_PER_TURN = 4;

/** Plain words for anything thrown, cut to a length the error banner can hold. */
function messageOf(err: unknown): string {
  return capMessage(err instanceof Error ? err.message : String(err));
}

/** The worker's state machine: one model, one dataset, requests in, events out. */
export class TrainingHandler {
  private readonly timing: Timing;
  private readonly now: () => number;
  private readonly yieldToEvents: () => Promise<void>;
  private readonly loadModel: NonNullable<HandlerDeps['loadModel']>;
  private readonly displays: Displays;
  private data: DatasetSplits | null = null;
  /** The dataset's class names (their number is a conditional model's one-hot width), once it is in. */
  private classNames: string[] | null = null;
  private test: ImageDataset | null = null;
  private model: ActiveModel | null = null;
  private view: ManifoldView | null = null;
  private backend: BackendName | null = null;
  /** The newest model generation requested (a load that finishes after a newer request is dropped). */
  private latestGeneration = 0;
  private trainingNow = false;
  /**
   * Between Pause and the displays' refresh after it: the page still shows training, so that once it shows
   * paused, its decoder copy holds the last step's weights (the step in flight may post a status first).
   */
  private pausing = false;
  /** Lets the page draw without competing for the CPU (a gate shared with it), or null. */
  private parking: QuietParking | null = null;
  private loopRunning = false;
  private queue: Promise<unknown> = Promise.resolve();
  /** Aborted by `skip-dataset`: the address's dataset stops downloading and the built-in MNIST is used. */
  private readonly datasetSkip = new AbortController();
  /** The loads still fetching or building; `cancel-load` aborts them. */
  private readonly loads = new Set<AbortController>();
  /** The model last saved and its session's step then: a load need not keep it again (see `keptOf`). */
  private lastSaved: { model: ActiveModel; step: number } | null = null;
  /** The backend being started, and for which choice (a warm-up and the init share it). */
  private backendStart: { choice: BackendChoice; started: Promise<{ name: BackendName; label: string }> } | null = null;

  constructor(private readonly deps: HandlerDeps) {
    this.timing = { ...DEFAULT_TIMING, ...deps.timing };
    this.now = deps.now ?? (() => performance.now());
    this.yieldToEvents = deps.yieldToEvents ?? (() => new Promise((resolve) => setTimeout(resolve, 0)));
    this.loadModel = deps.loadModel ?? fetchModel;
    this.displays = new Displays({
      post: (e) => deps.post(e),
      now: this.now,
      timing: this.timing,
      model: () => this.model,
      test: () => this.test,
      view: () => this.view,
      training: () => this.training || this.pausing,
    });
  }

  /** True while training continuously. */
  get isTraining(): boolean {
    return this.training;
  }

  /** Whether the training loop should run; the shared gate tells the page too. */
  private get training(): boolean {
    return this.trainingNow;
  }

  private set training(on: boolean) {
    this.trainingNow = on;
    this.parking?.setTraining(on);
  }

  private get session(): TrainingSession | null {
    return this.model?.session ?? null;
  }

  /** Handles one request; resolves when it is carried out (errors are posted, never thrown). */
  async handle(req: WorkerRequest): Promise<void> {
    try {
      switch (req.type) {
        case 'warm-up':
          this.startBackend(req.backend).catch(() => undefined); // init reports a failure
          break;
        case 'init':
          await this.init(req);
          return; // `ready` is the reply
        case 'train':
          this.requireSession();
          this.training = true;
          this.displays.throughput.reset(this.now(), this.session?.step);
          this.displays.time.start();
          this.displays.refillBudgets();
          this.displays.postStatus();
          this.startLoop();
          break;
        case 'pause':
          this.pausing ||= this.training;
          this.training = false;
          await this.exclusive(async () => {
            this.pausing = false;
            await this.displays.refreshAll(); // the weights first, then the status: paused
          });
          break;
        case 'step':
          this.training = false;
          await this.exclusive(async () => {
            this.requireSession().trainStep();
            this.displays.unread++;
            await this.displays.refreshAll();
          });
          break;
        case 'configure':
          await this.exclusive(async () => {
            await this.displays.readAndPostMetrics();
            await this.model?.configure(req.config);
            this.displays.postStatus();
          });
          break;
        case 'reset':
          this.training = false;
          this.latestGeneration = Math.max(this.latestGeneration, req.generation);
          await this.exclusive(() => this.install(ActiveModel.fresh({ ...req.config, classes: this.classNames?.length ?? req.config.classes }, req.generation), null));
          break;
        case 'load':
          await this.load(req);
          return; // `model` (or `done` when a newer request overtook it or it was cancelled) is the reply
        case 'cancel-load':
          for (const load of this.loads) load.abort();
          break;
        case 'skip-dataset':
          this.datasetSkip.abort();
          break;
        case 'save':
          await this.exclusive(async () => {
            const model = this.requireModel();
            const files = await modelFiles(model, req.name, this.saveContext());
            this.lastSaved = { model, step: model.session?.step ?? 0 };
            this.deps.post({ type: 'saved', id: req.id, files });
          });
          return;
        case 'decode':
          await this.exclusive(async () => {
            const model = this.requireModel();
            if (req.z.length !== model.codec.latentDim) throw new Error(`The point has ${req.z.length} coordinates but the model's latent space has ${model.codec.latentDim}.`);
            this.deps.post({ type: 'decoded', id: req.id, generation: model.info.generation, pixels: await decodePoint(model.codec, req.z) });
          });
          return;
        case 'encode':
          await this.exclusive(async () => this.deps.post(await encodeImages(this.requireModel(), req)));
          return;
        case 'decode-batch':
          await this.exclusive(async () => this.deps.post(await decodeBatch(this.requireModel(), req)));
          return;
        case 'view':
          this.view = req.view;
          await this.exclusive(() => this.displays.postManifold(req.id));
          return; // the manifold event is the reply
        case 'decode-class':
          await this.exclusive(async () => {
            const { codec } = this.requireModel();
            if (codec.classes === undefined) throw new Error('This model is not conditional: it decodes without a class.');
            if (!Number.isInteger(req.label) || req.label < 0 || req.label >= codec.classes) throw new Error(`The class must be a whole number from 0 to ${codec.classes - 1}.`);
            codec.decodeClass = req.label;
            await this.displays.postManifold(req.id);
          });
          return; // the manifold event is the reply
        case 'displays':
          this.displays.live = req.live;
          this.displays.time.start(); // the shares describe one setting at a time
          this.displays.postStatus();
          break;
        case 'decode-classes':
          await this.exclusive(async () => {
            const model = this.requireModel();
            if (model.codec.classes === undefined) throw new Error('This model is not conditional: it decodes without a class.');
            if (req.z.length !== model.codec.latentDim) throw new Error(`The point has ${req.z.length} coordinates but the model's latent space has ${model.codec.latentDim}.`);
            this.deps.post({ type: 'decoded-batch', id: req.id, generation: model.info.generation, pixels: await decodeEveryClass(model.codec, req.z) });
          });
          return;
      }
      this.deps.post({ type: 'done', id: req.id });
    } catch (err) {
      if (req.type === 'init' || req.type === 'reset' || err instanceof TrainingDivergedError) this.training = false;
      this.deps.post({ type: 'error', id: req.id, message: messageOf(err) });
      // A divergence found by any request (e.g. `configure` reading the last losses) rolled the weights back: show them.
      if (err instanceof TrainingDivergedError) await this.exclusive(() => this.displays.refreshAll());
      else if (this.model) this.displays.postStatus();
    }
  }

  /** Runs `task` after every task queued before it (requests and loop turns never interleave). */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Starts the backend while the first model's files download, then loads the dataset: the model's
   * manifold comes first, the test set's codes as soon as the test split is in, training once the
   * training split is in.
   */
  private async init(req: Extract<WorkerRequest, { type: 'init' }>): Promise<void> {
    const backendReady = this.startBackend(req.backend);
    backendReady.catch(() => undefined); // awaited below
    this.view = req.view;
    this.latestGeneration = Math.max(this.latestGeneration, req.generation);
    if (req.quietGate) this.parking = new QuietParking(req.quietGate, this.timing.maxQuietMs, this.now, new TimeBudget(this.timing.quietShare, this.now));
    // The first model's files download while the backend starts (it is built once the backend is up).
    const firstReady = this.firstModel(req, backendReady);
    firstReady.catch(() => undefined); // awaited below
    const backend = await backendReady;
    this.backend = backend.name;
    const data = this.deps.loadData(
      req.dataUrl,
      (fraction, message, skippable) => this.deps.post({ type: 'progress', fraction, message, ...(skippable ? { skippable } : {}) }),
      (test) => void this.exclusive(() => this.useTestSplit(test)).catch((err: unknown) => this.deps.post({ type: 'error', id: null, message: messageOf(err) })),
      this.datasetSkip.signal,
    );
    data.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
    const first = await firstReady;
    await this.exclusive(async () => {
      if (req.generation < this.latestGeneration) first.dispose(); // a reset came first
      else await this.install(first, null);
    });
    const splits = await data;
    await this.exclusive(async () => {
      this.data = splits;
      this.classNames = classNamesOf(splits);
      const remade = this.model?.remadeFor(this.classNames.length); // a fresh conditional model, made for the dataset's classes
      if (remade) await this.install(remade, null);
      if (this.test !== splits.test) await this.useTestSplit(splits.test); // a dataset that failed after its test split came is replaced
      if (this.model?.attach(splits.train, this.classNames.length)) this.deps.post({ type: 'model', id: null, info: { ...this.model.info } });
      const { test, train, name } = splits;
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
        classNames: [...this.classNames],
      });
      await this.displays.refreshAll();
    });
  }

  /** Starts the backend for `choice`, or joins the start already under way for it. */
  private startBackend(choice: BackendChoice): Promise<{ name: BackendName; label: string }> {
    if (this.backendStart?.choice !== choice) this.backendStart = { choice, started: this.exclusive(() => this.deps.initBackend(choice)) };
    return this.backendStart.started;
  }

  /** The first of the init request's models that loads and runs, else fresh weights; failures are posted. */
  private async firstModel(req: Extract<WorkerRequest, { type: 'init' }>, backendReady: Promise<unknown>): Promise<ActiveModel> {
    const sources = req.models ?? [];
    for (const [i, source] of sources.entries()) {
      try {
        return await this.prepare(source, req.config, req.generation, () => undefined, backendReady);
      } catch (err) {
        await backendReady; // without a backend, init fails with that error instead
        const next = i + 1 < sources.length ? `Opening ${originOf(sources[i + 1]).label} instead.` : 'Starting from fresh random weights instead.';
        this.deps.post({ type: 'error', id: null, message: `${messageOf(err)} ${next}` });
      }
    }
    await backendReady;
    return ActiveModel.fresh(req.config, req.generation);
  }

  /** Fetches, validates and test-runs a model without touching the current one. */
  private async prepare(
    source: ModelSource,
    config: Extract<WorkerRequest, { type: 'load' }>['config'],
    generation: number,
    onProgress: (f: number) => void,
    buildAfter?: Promise<unknown>,
    signal?: AbortSignal,
  ): Promise<ActiveModel> {
    const loaded = await this.loadModel(source, onProgress, buildAfter, signal);
    const model = ActiveModel.fromLoaded(loaded, originOf(source), generation, config);
    try {
      await model.probe();
    } catch (err) {
      model.dispose();
      throw err;
    }
    return model;
  }

  /**
   * Replaces the current model with a new one once it is completely loaded; on any failure the current
   * one stays. It may come while `init` still runs (the address's model): it is built once the backend is up.
   */
  private async load(req: Extract<WorkerRequest, { type: 'load' }>): Promise<void> {
    const cancel = new AbortController();
    this.loads.add(cancel);
    try {
      let model: ActiveModel;
      try {
        const progress = (fraction: number) => this.deps.post({ type: 'load-progress', id: req.id, fraction });
        model = await this.prepare(req.source, req.config, req.generation, progress, this.backendStart?.started, cancel.signal);
      } catch (err) {
        if (!cancel.signal.aborted) throw err;
        this.deps.post({ type: 'done', id: req.id }); // cancelled: nothing failed, the current model stays
        return;
      }
      await this.exclusive(async () => {
        if (cancel.signal.aborted || req.generation <= this.latestGeneration) {
          model.dispose();
          this.deps.post({ type: 'done', id: req.id });
          return;
        }
        let kept: KeptModel | undefined;
        try {
          kept = req.keepAs === undefined ? undefined : await this.keptOf(req.keepAs);
        } catch (err) {
          model.dispose(); // the model trained here stays, with its steps: nothing is lost
          throw err;
        }
        this.latestGeneration = req.generation;
        await this.install(model, req.id, kept);
      });
    } finally {
      this.loads.delete(cancel);
    }
  }

  private saveContext(): SaveContext {
    return { test: this.test, datasetName: this.data?.name ?? null, backend: this.backend ?? 'unknown' };
  }

  /**
   * The current model saved as `<name>-step<N>.zip` (N: its steps from the first, the file's and
   * these) when it has steps trained here that no save holds (it is about to be replaced); undefined
   * when there is nothing to keep. Throws, in words, when it cannot be saved: the load is then refused
   * rather than lose those steps.
   */
  private async keptOf(name: string): Promise<KeptModel | undefined> {
    const model = this.model;
    const steps = model?.session?.step ?? 0;
    if (!model || steps === 0 || (this.lastSaved?.model === model && this.lastSaved.step === steps)) return undefined;
    try {
      const files = await modelFiles(model, `${name}-step${stepsFromFirst(model.info.training, steps)}`, this.saveContext());
      return { files, steps, latentDim: model.info.latentDim };
    } catch (err) {
      const why = messageOf(err).replace(/\.$/, '');
      throw new Error(`The model trained here (${steps.toLocaleString('en-US')} steps) stays open, since it could not be kept before opening another: ${why.charAt(0).toLowerCase()}${why.slice(1)}.`);
    }
  }

  /** Makes `model` the current one: the old one is freed, the displays start over. */
  private async install(model: ActiveModel, id: number | null, kept?: KeptModel): Promise<void> {
    this.training = false;
    this.pausing = false;
    this.model?.dispose();
    this.model = model;
    this.lastSaved = null;
    this.displays.clear();
    if (this.data) model.attach(this.data.train, this.classNames?.length);
    const decoder = await model.snapshot(); // with the reply: the page decodes the new model from its first frame
    this.deps.post({ type: 'model', id, info: model.info, ...(kept ? { kept } : {}), ...(decoder ? { decoder } : {}) });
    await this.displays.refreshAll(decoder !== null);
  }

  /** Keeps the test split, sends it to the main thread, and encodes it with the current model. */
  private async useTestSplit(test: ImageDataset): Promise<void> {
    this.test = test;
    const remade = this.model?.remadeFor(labelCount(test.labels), true); // a fresh conditional model, made for at least the test labels' classes
    if (remade) await this.install(remade, null);
    this.deps.post({ type: 'test-set', count: test.count, imageShape: [...test.imageShape], labels: test.labels.slice(), images: imagesAsBytes(test) });
    await this.displays.encodeAll();
  }

  private requireModel(): ActiveModel {
    if (!this.model) throw new Error('The model is not ready yet.');
    return this.model;
  }

  private requireSession(): TrainingSession {
    const model = this.model;
    if (model && !model.info.trainable) throw new Error(model.info.notTrainable ?? 'This model cannot be trained here.');
    if (!model?.session) throw new Error('The model is not ready yet: the dataset is still loading.');
    return model.session;
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

  /**
   * Training steps, each with whatever reporting is due, until the turn has lasted `turnMs` (at most
   * MAX_STEPS_PER_TURN steps): short steps share one trip through the event loop, which costs a few
   * tenths of a millisecond, a few per cent of a short step.
   */
  private async trainTurn(): Promise<void> {
    const session = this.session;
    if (!this.training || !session) return;
    const { time } = this.displays;
    const started = this.now();
    try {
      for (let steps = 0; steps < MAX_STEPS_PER_TURN && this.training && this.session === session && (steps === 0 || this.now() - started < this.timing.turnMs); steps++) {
        if (this.parking) time.add('parked', this.parking.park());
        await time.time('train', () => session.trainStep());
        this.displays.unread++;
        if (this.displays.unread >= this.timing.metricsEvery) await time.time('metrics', () => this.displays.readAndPostMetrics(false));
        await this.displays.backgroundWork(); // times its own parts
      }
    } catch (err) {
      this.training = false;
      this.deps.post({ type: 'error', id: null, message: messageOf(err) });
      if (err instanceof TrainingDivergedError) await this.displays.refreshAll();
      else this.displays.postStatus();
    }
  }
}
