/**
 * The messages between the main thread and the training worker: one discriminated union each way.
 * Every request carries an `id` and is answered by exactly one `done`, `error` (with that id) or
 * `manifold` reply; the client drops replies it no longer waits for. Streaming events carry the
 * model `generation` they belong to, so the client can drop those of a model it has replaced.
 */
import type { ElboSummary } from '../core/model/evaluate';
import type { VaeConfig } from '../core/model/config';
import type { StepMetrics } from '../core/train/trainer';
import type { DecoderSnapshot } from '../core/latent/mlp-decoder';

/** A tfjs backend the worker can run on. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** A forced backend, or 'auto' for the fastest that works. */
export type BackendChoice = BackendName | 'auto';

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

/** Main thread -> worker. */
export type WorkerRequest =
  /** Choose the backend, load the dataset, build the first model. Answered by `ready`. */
  | { type: 'init'; id: number; dataUrl: string; backend: BackendChoice; config: VaeConfig; generation: number; view: ManifoldView }
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
  | { type: 'view'; id: number; view: ManifoldView };

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
}

/** Worker -> main thread. */
export type WorkerEvent =
  /** Dataset download progress, fraction in [0, 1]. */
  | { type: 'progress'; fraction: number; message: string }
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
    }
  /** A request has been carried out. */
  | { type: 'done'; id: number }
  /** A request failed, or (id null) training stopped on an error. `message` is in plain words. */
  | { type: 'error'; id: number | null; message: string }
  | { type: 'status'; status: TrainingStatus }
  /** Per-step loss terms read since the last event, nats per example. */
  | { type: 'metrics'; generation: number; metrics: StepMetrics[] }
  /** Test-set negative ELBO after an epoch (`epoch` epochs done). */
  | { type: 'evaluation'; generation: number; epoch: number; step: number; summary: ElboSummary }
  /** The decoder's weights, for decoding on the main thread. */
  | { type: 'weights'; generation: number; step: number; decoder: DecoderSnapshot }
  /** Encoder means and log-variances of the test digits, each [count, latentDim]. */
  | { type: 'latents'; generation: number; step: number; count: number; latentDim: number; means: Float32Array; logVars: Float32Array }
  /** Decoded manifold grid, bytes 0-255 [n*n, pixels]; id is the `view` request it answers, or null. */
  | { type: 'manifold'; id: number | null; generation: number; step: number; n: number; pixels: number; images: Uint8Array };

/** Request types. */
export type WorkerRequestType = WorkerRequest['type'];

/** The buffers of an event that can be transferred instead of copied. */
export function transferablesOf(event: WorkerEvent): ArrayBuffer[] {
  const buffers: ArrayBufferLike[] = [];
  switch (event.type) {
    case 'ready':
      buffers.push(event.testLabels.buffer, event.testImages.buffer);
      break;
    case 'weights':
      for (const l of event.decoder.layers) buffers.push(l.kernel.buffer, l.bias.buffer);
      break;
    case 'latents':
      buffers.push(event.means.buffer, event.logVars.buffer);
      break;
    case 'manifold':
      buffers.push(event.images.buffer);
      break;
    default:
      break;
  }
  // Distinct, and only real ArrayBuffers (never a SharedArrayBuffer, which is shared, not moved).
  return [...new Set(buffers)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}
