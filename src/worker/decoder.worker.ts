/**
 * The decoder worker: a copy of a conv or conditional decoder (decoder-copy.ts) on a tfjs backend of
 * its own, so a dragged point is decoded while the training worker is busy. tfjs-wasm with one
 * thread (SIMD where the browser has it): the training worker already keeps the cores busy, and one
 * digit is a few milliseconds of work; the cpu backend when wasm cannot start.
 */
// tfjs-core first, as tf-browser.ts explains; no gradients (nothing trains here) and no webgl.
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as tf from '../core/tf';
import { DecoderCopyHost, type DecoderCopyEvent, type DecoderCopyRequest } from './decoder-copy';

const scope = self as unknown as {
  postMessage(message: DecoderCopyEvent, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<DecoderCopyRequest>) => void) | null;
};

/** Starts wasm with one thread (its single-threaded SIMD build), else cpu; the backend's name. */
async function startBackend(): Promise<string> {
  try {
    setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlainUrl, 'tfjs-backend-wasm-simd.wasm': wasmSimdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl });
    setThreadsCount(1);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // no thread pool of its own beside the training worker's
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      return 'wasm';
    }
  } catch {
    // cpu below
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('Neither the wasm nor the cpu backend of TensorFlow.js starts in this browser.');
  await tf.ready();
  return 'cpu';
}

/** What a benchmark can read in this worker (Playwright's worker.evaluate): the backend, and each decode's time here, ms. */
const stats = { backend: '', decodeMs: [] as number[] };
(globalThis as unknown as { __decoderCopy: typeof stats }).__decoderCopy = stats;

const host = new DecoderCopyHost((event, transfer) => scope.postMessage(event, transfer));
const started = startBackend().then(
  (backend) => {
    stats.backend = backend;
    scope.postMessage({ type: 'ready', backend }, []);
    return true;
  },
  (err: unknown) => {
    scope.postMessage({ type: 'error', id: null, message: err instanceof Error ? err.message : String(err), fatal: true }, []);
    return false;
  },
);

// Requests run one after another, after the backend's start.
let queue: Promise<unknown> = started;
scope.onmessage = (e: MessageEvent<DecoderCopyRequest>) => {
  const req = e.data;
  queue = queue.then(async (ok) => {
    const t0 = performance.now();
    if (ok !== false) await host.handle(req);
    if (req.type === 'decode' && stats.decodeMs.push(performance.now() - t0) > 1000) stats.decodeMs.shift();
    return ok;
  });
};
