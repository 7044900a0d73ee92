/**
 * A second thread for this project's wasm kernels: a worker that instantiates the same kernel
 * modules on tfjs-wasm's shared memory and runs one part of a kernel (e.g. half of a matrix
 * product's rows) while the calling thread runs the rest.
 *
 * tfjs-wasm's own thread pool serves only XNNPACK's kernels; every other kernel, ours included,
 * runs on one thread, so on a 2-core machine the second core idles for most of a training step.
 * The handshake is a SharedArrayBuffer of a few int32 slots and the arguments: the caller writes a job and bumps JOB_SEQ;
 * the helper, polling or asleep in Atomics.wait, runs it and sets DONE_SEQ; the caller, its own part
 * done, polls for that. Kernels use it through `runShared`.
 *
 * Available only where it can work and pays: tfjs-wasm's memory is shared (the threaded build, in a
 * cross-origin-isolated page), the caller is itself a worker (a page's main thread may not block)
 * and there are at least 2 cores. `startHelperThread` starts it (awaited: a worker that never yields to its
 * event loop would never see its nested worker start); before that, and for good after a failure,
 * `helperThread(...)` returns null and kernels run whole on one thread.
 */
import { WASM_SHARED as ADAM_SHARED } from './adam-wasm';
import { WASM_SHARED as BERNOULLI_SHARED } from './bernoulli-wasm';
import { WASM_SHARED as GEMM_SHARED } from './gemm-wasm';
import { WASM_SHARED as SPARSE_SHARED } from './sparse-input-wasm';
import { activeWasmBackend, compileModule, heapMemory, isSharedMemory, type WasmBackend } from './wasm-heap';

/** The functions the helper can run, by index (the HELPER_… constants): module bytes (base64, shared memory) and export name. */
const HELPER_FUNCTIONS = [
  { module: GEMM_SHARED, name: 'gemm' },
  { module: SPARSE_SHARED, name: 'forward' },
  { module: SPARSE_SHARED, name: 'weightGrad' },
  { module: BERNOULLI_SHARED, name: 'bernoulli' },
  { module: ADAM_SHARED, name: 'adam' },
] as const;

/** gemm.wat's `gemm`. */
export const HELPER_GEMM = 0;
/** sparse-input.wat's `forward`. */
export const HELPER_SPARSE_FORWARD = 1;
/** sparse-input.wat's `weightGrad`. */
export const HELPER_SPARSE_WEIGHT_GRAD = 2;
/** bernoulli.wat's `bernoulli`. */
export const HELPER_BERNOULLI = 3;
/** adam.wat's `adam`. */
export const HELPER_ADAM = 4;

// Slots of the control block.
const JOB_SEQ = 0; // bumped by the caller for each job
const DONE_SEQ = 1; // set to the job's sequence number by the helper when it is done
const FAILED = 2; // 1 if the last job threw in the helper
const FUNCTION = 3; // index into HELPER_FUNCTIONS
const SLOTS = 4;
// Then the function's arguments, as float64 (byte offsets and float32 parameters alike are exact).
const ARGS_BYTE_OFFSET = 4 * SLOTS;
const MAX_ARGS = 16;

/**
 * How long the helper polls for the next job before it sleeps (a wake from Atomics.wait is slow next
 * to a kernel): about the gap between a training step's large kernels. Short, because a polling helper
 * takes a core from the page's own drawing (a longer spin did not train faster).
 */
const SPIN_MS = 1;

/** How long a caller waits for the helper before giving up on it (a job takes milliseconds). */
const HELPER_TIMEOUT_MS = 5000;

/** Runs jobs on the second thread; see `helperThread`. */
interface HelperThread {
  /** Starts `functionIndex(...args)` on the helper; call `finish` before using its output. */
  start(functionIndex: number, args: number[]): void;
  /**
   * Waits until the started job is done: true. False when it failed or hung (seconds): the helper is
   * retired, and the caller does the job's part itself.
   */
  finish(): boolean;
}

const helpers = new WeakMap<object, Int32Array | null>();

/** How long `startHelperThread` waits for the helper to be ready. */
const START_TIMEOUT_MS = 10_000;

/**
 * Starts the helper thread of this wasm backend where it can work (see the file's doc); true once
 * it is ready to take jobs, false where it cannot run or did not start.
 */
export async function startHelperThread(backend: WasmBackend): Promise<boolean> {
  if (helpers.has(backend)) return helpers.get(backend) !== null;
  helpers.set(backend, null);
  const inWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
  const heap = heapMemory(backend);
  const memory = heap && isSharedMemory(heap) ? heap : null;
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  if (!inWorker || !memory || typeof Worker === 'undefined' || !globalThis.crossOriginIsolated || cores < 2) return false;
  let worker: Worker | null = null;
  try {
    // Compiled here, each module once (throws where the engine lacks relaxed SIMD); the helper only instantiates them.
    const compiled = new Map<string, WebAssembly.Module>();
    const functions = HELPER_FUNCTIONS.map(({ module, name }) => {
      if (!compiled.has(module)) compiled.set(module, compileModule(module));
      return { module: compiled.get(module)!, name };
    });
    const control = new Int32Array(new SharedArrayBuffer(ARGS_BYTE_OFFSET + 8 * MAX_ARGS));
    const source = `(${helperMain.toString()})(${JSON.stringify({ JOB_SEQ, DONE_SEQ, FAILED, FUNCTION, ARGS_BYTE_OFFSET, MAX_ARGS, SPIN_MS })});`;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    worker = new Worker(url, { name: 'vae-kernel-helper' });
    URL.revokeObjectURL(url);
    const started = worker;
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), START_TIMEOUT_MS);
      started.onmessage = (event: MessageEvent) => {
        clearTimeout(timer);
        resolve(event.data === 'ready');
      };
      started.onerror = () => {
        clearTimeout(timer);
        resolve(false);
      };
      started.postMessage({ memory, control, functions });
    });
    if (!ready) throw new Error('the helper did not start');
    helpers.set(backend, control);
    return true;
  } catch {
    worker?.terminate();
    return false;
  }
}

let enabled = true;
let jobsDone = 0;

/** How many jobs helper threads have done in this thread's lifetime (tests check that the helper really worked). */
export function helperJobsDone(): number {
  return jobsDone;
}

/** The control block of this backend's helper when it is ready and in use, else null. */
function usableControl(backend: WasmBackend | null): Int32Array | null {
  return (enabled && backend && helpers.get(backend)) || null;
}

/** True when this wasm backend has a helper thread that is ready and in use. */
export function hasHelperThread(backend: WasmBackend): boolean {
  return usableControl(backend) !== null;
}

/**
 * Tells the active backend's helper, if it sleeps, that jobs are coming: it polls for a while. A
 * training step calls this first, so that its first shared kernel does not wait for a wake-up.
 */
export function wakeHelperThread(): void {
  const control = usableControl(activeWasmBackend());
  if (control) Atomics.notify(control, JOB_SEQ);
}

/** Turns the use of started helper threads on or off (benchmarks compare the two in one run). */
export function setHelperThreadEnabled(on: boolean): void {
  enabled = on;
}

/** The ready helper thread of this wasm backend, or null (not started, turned off, cannot run, or retired after a failure). */
function helperThread(backend: WasmBackend): HelperThread | null {
  const control = usableControl(backend);
  if (!control) return null;
  const retire = () => {
    helpers.set(backend, null);
    console.warn('The kernel helper thread failed or stopped responding: kernels run on one thread from now on.');
    return false;
  };
  let seq = Atomics.load(control, JOB_SEQ);
  const argsView = new Float64Array(control.buffer, ARGS_BYTE_OFFSET, MAX_ARGS);
  return {
    start(functionIndex, args) {
      if (args.length > MAX_ARGS) throw new Error(`helper job with ${args.length} arguments (at most ${MAX_ARGS})`);
      Atomics.store(control, FUNCTION, functionIndex);
      argsView.set(args); // published to the helper by the Atomics.store of JOB_SEQ below
      seq = (seq + 1) | 0;
      Atomics.store(control, JOB_SEQ, seq);
      Atomics.notify(control, JOB_SEQ);
    },
    finish() {
      // Spin: this thread has nothing else to do, and waking from Atomics.wait takes ~0.1 ms.
      const deadline = performance.now() + HELPER_TIMEOUT_MS;
      for (let polls = 1; Atomics.load(control, DONE_SEQ) !== seq; polls++) {
        if (polls % 1024 === 0 && performance.now() > deadline) return retire();
      }
      if (Atomics.load(control, FAILED) === 1) return retire();
      jobsDone++;
      return true;
    },
  };
}

/**
 * Runs a kernel function over the range [0, total), shared with the helper thread when there is one
 * and `worthSharing`: the range splits in two at a multiple of `align`, the upper part goes to the
 * helper as `HELPER_FUNCTIONS[helperFunction](...argsFor(start, end, 1))`, the lower part runs here
 * as `here(...argsFor(0, split, 0))`. The last argument of `argsFor` says which thread (0 here, 1
 * the helper), to give each its own scratch. Without a helper, `here` runs the whole range.
 */
export function runShared(
  backend: WasmBackend,
  helperFunction: number,
  total: number,
  align: number,
  worthSharing: boolean,
  argsFor: (start: number, end: number, thread: 0 | 1) => number[],
  here: (...args: number[]) => void,
): void {
  const split = align * Math.floor(total / (2 * align));
  const helper = worthSharing && split > 0 ? helperThread(backend) : null;
  if (!helper) {
    here(...argsFor(0, total, 0));
    return;
  }
  helper.start(helperFunction, argsFor(split, total, 1));
  let helped = false;
  try {
    here(...argsFor(0, split, 0));
  } finally {
    helped = helper.finish(); // before the caller frees any scratch, even if this part threw
  }
  if (!helped) here(...argsFor(split, total, 1));
}

/**
 * The helper worker's whole program, run from its source text (so it needs no bundler entry and
 * must not refer to anything outside itself). Instantiates the kernel modules on the shared memory,
 * then serves jobs until the page goes away.
 */
function helperMain(slots: { JOB_SEQ: number; DONE_SEQ: number; FAILED: number; FUNCTION: number; ARGS_BYTE_OFFSET: number; MAX_ARGS: number; SPIN_MS: number }): void {
  const scope = self as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(message: string): void };
  scope.onmessage = (event: MessageEvent) => {
    const { memory, control, functions } = event.data as { memory: WebAssembly.Memory; control: Int32Array; functions: { module: WebAssembly.Module; name: string }[] };
    let table: ((...args: number[]) => void)[];
    try {
      const instances = new Map<WebAssembly.Module, WebAssembly.Instance>();
      table = functions.map(({ module, name }) => {
        if (!instances.has(module)) instances.set(module, new WebAssembly.Instance(module, { env: { memory } }));
        return instances.get(module)!.exports[name] as (...args: number[]) => void;
      });
    } catch (error) {
      scope.postMessage(`failed: ${String(error)}`);
      return;
    }
    scope.postMessage('ready');
    let seen = Atomics.load(control, slots.JOB_SEQ);
    for (;;) {
      // Poll for SPIN_MS after each job (jobs come in bursts, and a wake from Atomics.wait takes
      // ~0.1 ms), then sleep until notified: by a job, or by `wakeHelperThread` (then poll again).
      let spinUntil = performance.now() + slots.SPIN_MS;
      for (let polls = 1; Atomics.load(control, slots.JOB_SEQ) === seen; polls++) {
        if (polls % 256 === 0 && performance.now() > spinUntil) {
          Atomics.wait(control, slots.JOB_SEQ, seen);
          spinUntil = performance.now() + slots.SPIN_MS;
        }
      }
      seen = Atomics.load(control, slots.JOB_SEQ);
      const args = Array.from(new Float64Array(control.buffer, slots.ARGS_BYTE_OFFSET, slots.MAX_ARGS));
      try {
        table[Atomics.load(control, slots.FUNCTION)](...args);
        Atomics.store(control, slots.FAILED, 0);
      } catch {
        Atomics.store(control, slots.FAILED, 1);
      }
      Atomics.store(control, slots.DONE_SEQ, seen);
      Atomics.notify(control, slots.DONE_SEQ);
    }
  };
}
