/**
 * The messages between the main thread and the training worker: one discriminated union each way.
 * Every request carries an `id` and is answered by exactly one `done`, `error` (with that id) or
 * `manifold` reply; the client drops replies it no longer waits for. Streaming events carry the
 * model `generation` they belong to, so the client can drop those of a model it has replaced.
 */
import type { TrainingSummary } from '../core/io/manifest';
import type { ElboSummary } from '../core/model/evaluate';
import type { VaeConfig } from '../core/model/config';
import type { StepMetrics } from '../core/train/trainer';
import type { DecoderSnapshot } from '../core/latent/mlp-decoder';
import { isNetworkSnapshot, type NetworkSnapshot } from '../core/latent/network-snapshot';
import type { KernelsChoice } from '../core/ops';
import type { TimeShareReport } from './time-shares';

/** A tfjs backend the worker can run on. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** A forced backend, or 'auto' for the fastest that works. */
export type BackendChoice = BackendName | 'auto';

/** Every BackendChoice, as the address's `backend=` takes them. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

/** The sentence for a backend that did not start: the one chosen (`auto`: none of them). */
export function backendFailedMessage(choice: BackendChoice): string {
  if (choice === 'auto') return 'No TensorFlow.js backend works in this browser (tried webgpu, webgl, wasm and cpu).';
  return `The "${choice}" backend does not work in this browser: choose auto under Backend (it drops backend=${choice} from the address) to use one that does.`;
}

/** True for a `backendFailedMessage` sentence (a backend that starts later answers it). */
export function isBackendFailedMessage(message: string): boolean {
  return BACKEND_CHOICES.some((choice) => message === backendFailedMessage(choice));
}

/** Which latent points the manifold panel decodes: an n×n grid on the plane (a1, a2) through `base`. */
export interface ManifoldView {
  /** Cells per side. */
  n: number;
  /** Horizontal axis direction [latentDim]. */
  a1: number[];
  /** Vertical axis direction [latentDim]. */
  a2: number[];
  /** The point whose off-plane component the grid keeps [latentDim]. */
  base: number[];
}

/** Where a model to load comes from. */
export type ModelSource =
  /**
   * A manifest `vae.json`, a decoder `model.json` (with `encoder`, the encoder's: a pair), a `.safetensors`
   * state dict or a folder at a URL (core/io/locate.ts); `label` names it for people instead of the URL.
   */
  | { kind: 'url'; url: string; label?: string; encoder?: string }
  /** Files in memory (picked by the person, or from browser storage); `entry` is the manifest or model.json among them. */
  | { kind: 'files'; label: string; entry: string; files: { name: string; bytes: ArrayBuffer }[] };

/** What the app shows about the model in the worker. Text from a manifest is shown as text only. */
export interface ModelInfo {
  /** The model generation this describes. */
  generation: number;
  /** Where it came from, in words: "fresh random weights", "the bundled model", a URL, a file or storage name. */
  origin: string;
  /** The URL it was loaded from (kept in the address as ?model=), or null. */
  url: string | null;
  /** The encoder's model.json URL when a pair was loaded without manifest (url is then the decoder's; the address keeps ?encoder=&decoder=). */
  encoderUrl?: string | null;
  latentDim: number;
  /** Hidden layer sizes of a model of this app's own format, or null (foreign model). */
  hidden: number[] | null;
  /** Its likelihood, when known. */
  likelihood: VaeConfig['likelihood'] | null;
  /** True when it can be trained further here. */
  trainable: boolean;
  /** Why it cannot be trained here, in plain words (null when it can). */
  notTrainable: string | null;
  /** False for a decoder loaded alone: the encoder panels have nothing to show. */
  hasEncoder: boolean;
  /** Why σ, the KL and the test ELBO are unavailable (an encoder that gives the mean alone); absent or null when they are available. */
  noLogVar?: string | null;
  /** True when the decoder is not a plain MLP: single points are decoded by `decode` until a `weights` event brings a copy (never, for a foreign model). */
  decodeInWorker: boolean;
  /** A conditional model's number of classes (its decodings take a class: `decode-class`, `decode-classes`); absent for others. */
  classes?: number;
  /** The model family (`mlp`, `conv`) of a model of this app's own format; absent for a foreign model. */
  family?: VaeConfig['family'];
  /** The training run its manifest describes, or null. */
  training: TrainingSummary | null;
  /** The dataset its manifest names, or null. */
  dataset: string | null;
}

/** Main thread -> worker. */
export type WorkerRequest =
  /**
   * Choose the backend, load the dataset, and start with the first of `models` that loads (else fresh
   * weights of `config`); the model's displays come before the dataset is in. Answered by `ready`.
   * `models` are the ones to open with (the bundled model); a model from elsewhere (the address's
   * `?model=`) comes as a `load` sent right after, so the app never waits on it.
   */
  | {
      type: 'init';
      id: number;
      dataUrl: string;
      backend: BackendChoice;
      /** The training ops: the wasm accelerator's where it runs (the default), or `stock` tfjs (`?kernels=stock`). */
      kernels?: KernelsChoice;
      config: VaeConfig;
      generation: number;
      view: ManifoldView;
      models?: ModelSource[];
      /** Shared cells through which the page asks the worker to stand still while it draws (quiet-gate.ts). */
      quietGate?: Int32Array;
    }
  /** Start the backend ahead of `init` (the page sends this first thing); answered by `done` at once, `init` reports any failure. */
  | { type: 'warm-up'; id: number; backend: BackendChoice; kernels?: KernelsChoice }
  /**
   * Fetch and validate a model fully, then replace the current one (training settings from `config`).
   * Answered by `model`; by `done` when a newer model overtook it or `cancel-load` stopped it.
   * `keepAs`: when the model it replaces was trained here and not saved since its last step, the
   * `model` answer carries that model saved as `<keepAs>-step<N>.zip` (`kept`), so nothing trained is lost.
   */
  | { type: 'load'; id: number; source: ModelSource; config: VaeConfig; generation: number; keepAs?: string }
  /**
   * Stop downloading the address's dataset (`?data=`, while `progress` says `skippable`) and train on
   * the built-in MNIST instead; an error event says so. Answered by `done`.
   */
  | { type: 'skip-dataset'; id: number }
  /** Stop every `load` still fetching or building (each then answers `done`; the current model stays). Answered by `done`. */
  | { type: 'cancel-load'; id: number }
  /** The current model as one file, `<name>.zip`, holding the weights format's folder (core/io/archive.ts). Answered by `saved`. */
  | { type: 'save'; id: number; name: string }
  /** Decode one latent point (for models decoded in the worker). Answered by `decoded`. */
  | { type: 'decode'; id: number; z: number[] }
  /** Train continuously until `pause`. */
  | { type: 'train'; id: number }
  /** Stop training after the current step. */
  | { type: 'pause'; id: number }
  /** Pause if needed, then take exactly one training step. */
  | { type: 'step'; id: number }
  /** Change settings that keep the weights (learning rate, batch size, beta, warm-up, variance). */
  | { type: 'configure'; id: number; config: VaeConfig }
  /** Discard the weights and start a fresh model with this config (and generation number). */
  | { type: 'reset'; id: number; config: VaeConfig; generation: number }
  /** Change what the manifold shows; answered by a `manifold` event with this id. */
  | { type: 'view'; id: number; view: ManifoldView }
  /**
   * Encode `count` images (pixels in [0, 1], [count, D]): their posteriors, decodings at the mean and at one
   * sample, and negative-ELBO terms averaged over `samples` draws of z (noise seeded by `seed`). Answered by `encoded`.
   */
  | { type: 'encode'; id: number; images: Float32Array; count: number; seed: number; samples: number }
  /** Decode `count` latent points z [count, latentDim] (for decoders the main thread cannot run). Answered by `decoded-batch`. */
  | { type: 'decode-batch'; id: number; z: Float32Array; count: number }
  /** A conditional model: the class that `decode`, `decode-batch` and the manifold use from now on. Answered by a `manifold` event with this id. */
  | { type: 'decode-class'; id: number; label: number }
  /** A conditional model: decode one latent point under every class. Answered by `decoded-batch` (pixels [classes, D], class by class). */
  | { type: 'decode-classes'; id: number; z: number[] }
  /**
   * Whether the displays (test-set codes, manifold, weight snapshots, the epoch's test ELBO) are
   * updated while training; off, training has the worker to itself. Turned on, or on Pause, they catch up.
   */
  | { type: 'displays'; id: number; live: boolean };

/** Where training stands. */
export interface TrainingStatus {
  generation: number;
  training: boolean;
  /** Steps taken by this model. */
  step: number;
  /** 0-based epoch the next step belongs to. */
  epoch: number;
  /** Fraction of the current epoch done, [0, 1). */
  epochProgress: number;
  stepsPerEpoch: number;
  /** Training throughput over the last few seconds (0 when idle). */
  examplesPerSecond: number;
  /** While training: shares of the worker's wall time since Train, per part of a turn (time-shares.ts). */
  timeShares?: TimeShareReport;
  /** Whether the displays are updated while training (the `displays` request). */
  liveDisplays?: boolean;
}

/** The model a `load` replaced, saved as the `save` request would (see `load`'s `keepAs`). */
export interface KeptModel {
  /** `<keepAs>-step<N>.zip`. */
  files: { name: string; bytes: Uint8Array }[];
  /** Steps it was trained here (this session, not counting a loaded model's own). */
  steps: number;
  /** Its latent dimensions. */
  latentDim: number;
}

/** Worker -> main thread. */
export type WorkerEvent =
  /**
   * A new model is in place (id: the `load` it answers, or null); comes before any event of its generation.
   * `decoder`: its decoder weights when the page decodes with a copy (as in `weights`), so that from this
   * event on the page never decodes with the replaced model's.
   */
  | { type: 'model'; id: number | null; info: ModelInfo; kept?: KeptModel; decoder?: DecoderSnapshot | NetworkSnapshot }
  /** Weight download progress of a `load`, fraction in [0, 1]. */
  | { type: 'load-progress'; id: number; fraction: number }
  /** The test split, as soon as it is in (before `ready`): labels and pixels as bytes 0-255. */
  | { type: 'test-set'; count: number; imageShape: [number, number, number]; labels: Uint8Array; images: Uint8Array }
  /** Answer to `save`: the files, in the order to write them. */
  | { type: 'saved'; id: number; files: { name: string; bytes: Uint8Array }[] }
  /** Answer to `decode`: pixel intensities in [0, 1]. */
  | { type: 'decoded'; id: number; generation: number; pixels: Float32Array }
  /**
   * Answer to `encode`: means and logVars [count, latentDim]; atMean and atSample, pixel intensities [count, D];
   * reconstruction (−log p(x|z), averaged over the samples) and kl [count], nats. −ELBO = reconstruction + kl.
   */
  | {
      type: 'encoded';
      id: number;
      generation: number;
      step: number;
      count: number;
      latentDim: number;
      means: Float32Array;
      logVars: Float32Array;
      atMean: Float32Array;
      atSample: Float32Array;
      reconstruction: Float32Array;
      kl: Float32Array;
    }
  /** Answer to `decode-batch`: pixel intensities in [0, 1], [count, D]. */
  | { type: 'decoded-batch'; id: number; generation: number; pixels: Float32Array }
  /** Dataset download progress, fraction in [0, 1]; `skippable` while the address's dataset (not the built-in MNIST) downloads (see `skip-dataset`). */
  | { type: 'progress'; fraction: number; message: string; skippable?: boolean }
  /** Answer to `init`: the backend in use and the test split for display (pixels as bytes 0-255). */
  | {
      type: 'ready';
      id: number;
      backend: BackendName;
      /** Human-readable backend details, e.g. "wasm (2 threads, SIMD)". */
      backendLabel: string;
      datasetName: string;
      trainCount: number;
      testCount: number;
      imageShape: [number, number, number];
      testLabels: Uint8Array;
      testImages: Uint8Array;
      /** The dataset's class names, label by label (core/data/class-names.ts); their number is a conditional model's one-hot width. The handler always sends them. */
      classNames?: string[];
    }
  /** A request has been carried out. */
  | { type: 'done'; id: number }
  /** A request failed, or (id null) training stopped on an error. `message` is in plain words. */
  | { type: 'error'; id: number | null; message: string }
  | { type: 'status'; status: TrainingStatus }
  /** Per-step loss terms read since the last event, nats per example. */
  | { type: 'metrics'; generation: number; metrics: StepMetrics[] }
  /** Training diverged and the weights are back at `step`: losses and evaluations of later steps no longer apply. */
  | { type: 'rollback'; generation: number; step: number }
  /** Test-set negative ELBO after an epoch (`epoch` epochs done). */
  | { type: 'evaluation'; generation: number; epoch: number; step: number; summary: ElboSummary }
  /** The decoder's weights, for decoding off this worker: an MLP's dense layers (main thread), or any other network's (the decoder worker's copy). */
  | { type: 'weights'; generation: number; step: number; decoder: DecoderSnapshot | NetworkSnapshot }
  /** Encoder means and log-variances of the test digits, each [count, latentDim]. */
  | { type: 'latents'; generation: number; step: number; count: number; latentDim: number; means: Float32Array; logVars: Float32Array }
  /** Decoded manifold grid, bytes 0-255 [n*n, pixels]; id is the `view` request it answers, or null. */
  | { type: 'manifold'; id: number | null; generation: number; step: number; n: number; pixels: number; images: Uint8Array };

/** Request types. */
export type WorkerRequestType = WorkerRequest['type'];

/** The buffers of a decoder snapshot. */
function snapshotBuffers(decoder: DecoderSnapshot | NetworkSnapshot): ArrayBufferLike[] {
  return isNetworkSnapshot(decoder) ? decoder.weights.map((w) => w.values.buffer) : decoder.layers.flatMap((l) => [l.kernel.buffer, l.bias.buffer]);
}

/** The buffers of an event that can be transferred instead of copied. */
export function transferablesOf(event: WorkerEvent): ArrayBuffer[] {
  const buffers: ArrayBufferLike[] = [];
  switch (event.type) {
    case 'ready':
      buffers.push(event.testLabels.buffer, event.testImages.buffer);
      break;
    case 'weights':
      buffers.push(...snapshotBuffers(event.decoder));
      break;
    case 'latents':
      buffers.push(event.means.buffer, event.logVars.buffer);
      break;
    case 'manifold':
      buffers.push(event.images.buffer);
      break;
    case 'test-set':
      buffers.push(event.labels.buffer, event.images.buffer);
      break;
    case 'saved':
      for (const f of event.files) buffers.push(f.bytes.buffer);
      break;
    case 'model':
      for (const f of event.kept?.files ?? []) buffers.push(f.bytes.buffer);
      if (event.decoder) buffers.push(...snapshotBuffers(event.decoder));
      break;
    case 'decoded':
    case 'decoded-batch':
      buffers.push(event.pixels.buffer);
      break;
    case 'encoded':
      buffers.push(event.means.buffer, event.logVars.buffer, event.atMean.buffer, event.atSample.buffer, event.reconstruction.buffer, event.kl.buffer);
      break;
    default:
      break;
  }
  // Distinct, and only real ArrayBuffers (never a SharedArrayBuffer, which is shared, not moved).
  return [...new Set(buffers)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}
