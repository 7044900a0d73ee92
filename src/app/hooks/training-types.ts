/** The state `useTraining` exposes to the panels and controls. */
import type { VaeConfig } from '../../core/model/config';
import type { KeptModel, ManifoldView, ModelInfo, ModelSource, TrainingStatus, WorkerEvent } from '../../worker/protocol';
import type { PointDecoder } from '../decoding';
import type { Evaluation, LossHistory } from '../loss-series';
import type { Store } from '../state/store';

/** The test split as the main thread keeps it (for hover thumbnails and class colours). */
export interface TestSet {
  labels: Uint8Array;
  /** Bytes 0-255, [count, side*side]. */
  images: Uint8Array;
  side: number;
  count: number;
  /** The dataset's class names, label by label (core/data/class-names.ts), once the whole dataset is in; absent before. */
  classNames?: readonly string[];
  /** The dataset's name ("mnist", "emnist-balanced"), once the whole dataset is in; absent before. */
  datasetName?: string;
}

/** Encoder outputs for the test split. */
export interface LatentCodes {
  step: number;
  count: number;
  latentDim: number;
  /** [count, latentDim] */
  means: Float32Array;
  /** [count, latentDim] */
  logVars: Float32Array;
}

/** The decoded manifold grid. */
export interface ManifoldImages {
  n: number;
  pixels: number;
  /** Bytes 0-255, [n*n, pixels]. */
  images: Uint8Array;
  step: number;
}

/** One file of a saved model, as the worker hands it over. */
export interface ModelFile {
  name: string;
  bytes: Uint8Array;
}

/** Everything the panels show, and what the controls can ask for. */
export interface Training {
  phase: 'loading' | 'ready' | 'failed';
  /** Dataset download, while it runs; `skippable` while the address's dataset (not the built-in MNIST) downloads. */
  progress: { fraction: number; message: string; skippable?: boolean } | null;
  /** Stops downloading the address's dataset and trains on the built-in MNIST (the banner says so). */
  skipDataset(): void;
  backend: string | null;
  /** Where training stands, as the worker last said (with `training: true` optimistically after Train). */
  status: TrainingStatus | null;
  /**
   * Pause was pressed and the worker has not yet said it stopped: the button offers Train again at once,
   * while the status line says "pausing" until the last step's losses and decoder weights are in.
   */
  pausing: boolean;
  /** The model in the worker: where it came from, whether it trains, what its manifest says. */
  model: ModelInfo | null;
  /** Weight download progress of a running load, or null. */
  loadProgress: number | null;
  testSet: TestSet | null;
  latents: LatentCodes | null;
  manifold: ManifoldImages | null;
  evaluations: Evaluation[];
  history: LossHistory;
  /** Increments (at most a few times a second) when `history` grew. */
  historyVersion: number;
  error: string | null;
  /** Decodes the current latent point: on the main thread from the worker's weights, or through the worker. */
  decoder: Store<PointDecoder | null>;
  train(): void;
  pause(): void;
  step(): void;
  reset(config: VaeConfig): void;
  configure(config: VaeConfig): void;
  /** Whether the worker updates the displays while training (off: training has the worker to itself). */
  setLiveDisplays(live: boolean): void;
  setView(view: ManifoldView): void;
  /**
   * Loads a model; resolves with its info, or null when it failed (the error is shown), was overtaken or
   * cancelled. With `keepAs`, a model trained here that no save holds comes back saved (`kept`) as it is replaced.
   */
  load(source: ModelSource, config: VaeConfig, keepAs?: string): Promise<LoadResult | null>;
  /** Stops the running load (`loadProgress` not null): its download ends and the current model stays. */
  cancelLoad(): void;
  /**
   * A model trained here that the address's `?model=` replaced when it arrived (it loads in the
   * background, so training may have begun), saved; the weights panel keeps it and clears this.
   */
  replaced: (LoadResult & { kept: KeptModel }) | null;
  clearReplaced(): void;
  /** The current model as one file, `<name>.zip` (the weights format's folder, see core/io/archive.ts); null when it failed (the error is shown). */
  save(name: string): Promise<ModelFile[] | null>;
  showError(message: string | null): void;
  /** Drops the shown errors `outdated` picks: a success has answered them. */
  withdrawErrors(outdated: (message: string) => boolean): void;
  /** Encodes images [count, D] in the worker (posteriors, reconstructions, −ELBO terms); null when stale or failed (the error is shown). */
  encode(images: Float32Array, count: number, seed: number, samples: number): Promise<Encoded | null>;
  /** Decodes latent points [count, latentDim] in the worker: pixels [count, D]; null when stale or failed. */
  decodeBatch(z: Float32Array, count: number): Promise<Float32Array | null>;
  /** A conditional model: the class the decodings, the manifold and Sample use; resolves once the worker uses it. */
  setDecodeClass(label: number): Promise<void>;
  /** A conditional model: one z decoded under every class, pixels [classes, D]; null when stale or failed. */
  decodeClasses(z: number[]): Promise<Float32Array | null>;
}

/** What a load brought: the new model's info, and the replaced model trained here when it was kept. */
export interface LoadResult {
  info: ModelInfo;
  kept?: KeptModel;
}

/** The worker's answer to an `encode` request. */
export type Encoded = Extract<WorkerEvent, { type: 'encoded' }>;
