/** Messages between the browser benchmark page, its worker and the Node driver (bench/browser.ts). */
import type { KernelsChoice } from '../../src/core/ops';
import type { FamilyName } from '../../src/core/model/config';

/** The tfjs backends the bench page trains on. */
export type BenchBackend = 'wasm' | 'webgl' | 'webgpu';

/** One benchmark run in a fresh worker. */
export interface BenchRequest {
  /**
   * `app`: start the backend exactly as the app's training worker does (src/worker/backend.ts,
   * `initBackend('wasm')`); `explicit`: set `threads` (and `reportCores`) here.
   */
  mode: 'app' | 'explicit';
  /**
   * The backend (default wasm). webgl and webgpu start as the app's forced `?backend=` does
   * (`initBackend(backend)`, which accepts software WebGL such as SwiftShader); `mode` must be `app`.
   */
  backend?: BenchBackend;
  /** The model family (default mlp); `conv` ignores `hidden`. */
  arch?: FamilyName;
  /** Untimed steps before the timed blocks (default 10). */
  warmup?: number;
  /** Steps under tf.profile for the kernel counts and times (default 10). */
  profileSteps?: number;
  /** XNNPACK threads for `explicit` (setThreadsCount before the backend starts); 0 leaves tfjs' default. */
  threads: number;
  /**
   * When set, `navigator.hardwareConcurrency` reads this in the worker before the backend starts.
   * tfjs-backend-wasm caps its pool at hardwareConcurrency / 2 (it assumes two hyper-threads per
   * core), so on a 2-vCPU machine it runs 1 thread whatever setThreadsCount asks; 2 * cores lifts that.
   */
  reportCores?: number;
  /**
   * The kernel helper thread (src/core/accelerator/helper-thread.ts): `app` mode starts it as the app
   * does, and false turns it off; `explicit` mode starts it only when true.
   */
  helper?: boolean;
  /** The training ops (src/core/ops): the wasm accelerator's (default) or `stock`, as `?kernels=stock`. */
  kernels?: KernelsChoice;
  /** Timed training steps per block (after 10 warm-up steps). */
  steps: number;
  /** Timed blocks; the result holds each block's rate, their median and the best. */
  repeats: number;
  hidden: number[];
  latent: number;
  batch: number;
  /** Folder URL of the four MNIST IDX files. */
  dataUrl: string;
  /** How many of the slowest kernels to report. */
  topKernels: number;
  /** Also time single matMuls (plain and transposed). */
  matmul: boolean;
}

/**
 * A check, not a benchmark: train `steps` steps from the same seed with the kernel helper thread
 * and without it. Run in the app's way (`initBackend('wasm')`).
 */
export interface HelperCheckRequest {
  hidden: number[];
  latent: number;
  batch: number;
  steps: number;
  dataUrl: string;
}

/** The total losses of each step, with and without the helper thread, and how many jobs it ran. */
export interface HelperCheckResult {
  backendLabel: string;
  withHelper: number[];
  withoutHelper: number[];
  helperJobs: number;
  numTensorsBefore: number;
  numTensorsAfter: number;
}

/** Time spent in one kernel (with given input shapes) per training step. */
export interface KernelTime {
  kernel: string;
  shapes: string;
  calls: number;
  ms_per_step: number;
}

/** Time of one matMul shape. */
export interface MatMulTime {
  what: string;
  ms: number;
  gflops: number;
}

/** What the worker measured. */
export interface BenchResult {
  mode: 'app' | 'explicit';
  /** tfjs' active backend while training (`tf.getBackend()`). */
  backend: string;
  /** The WebGL renderer the worker sees (UNMASKED_RENDERER_WEBGL), on webgl; else null. */
  renderer: string | null;
  /** The backend label the app would show ("wasm (2 threads, SIMD)"), in `app` mode. */
  label: string;
  requestedThreads: number;
  /** `tf.wasm.getThreadsCount()` after the backend started. */
  threads: number;
  crossOriginIsolated: boolean;
  sharedArrayBuffer: boolean;
  hardwareConcurrency: number;
  /** What the worker's navigator reported to tfjs (differs when `reportCores` is set). */
  reportedCores: number;
  simd: boolean;
  multithread: boolean;
  /** Time to start the wasm backend, ms. */
  backendMs: number;
  steps: number;
  /** Median over the timed blocks. */
  examplesPerS: number;
  /** Best block (least disturbed by other processes on the machine). */
  bestExamplesPerS: number;
  /** Every block's rate. */
  blocks: number[];
  msPerStep: number;
  /** Kernel time per step by kind, ms (see bench.worker.ts `kindOf`). */
  kinds: Record<string, { kernels: number; ms: number }>;
  /** Jobs the kernel helper thread ran per timed step (0: no helper). */
  helperJobsPerStep: number;
  /** Kernels dispatched per training step (tf.profile). */
  kernelsPerStep: number;
  /** Sum of the kernels' own times per step, ms (the rest is JS overhead: autodiff, tidy, dispatch). */
  kernelMsPerStep: number;
  /** The slowest kernels. */
  kernels: KernelTime[];
  matmuls: MatMulTime[];
}

/** What the page's main thread sees of the GPU (`window.gpuInfo`): WebGL's renderer and the WebGPU adapter. */
export interface GpuInfo {
  /** UNMASKED_RENDERER_WEBGL of a WebGL 2 (else 1) canvas context, or null without WebGL. */
  webglRenderer: string | null;
  /** UNMASKED_VENDOR_WEBGL, or null. */
  webglVendor: string | null;
  /** The WebGPU adapter's info (vendor, architecture, device, description), or null without one. */
  webgpuAdapter: Record<string, string> | null;
}

/** The page's entry point, `window.runBench`. */
export type RunBench = (req: BenchRequest) => Promise<BenchResult>;
