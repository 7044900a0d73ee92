/**
 * Choosing the tfjs backend inside the worker: webgpu, then hardware webgl, then wasm (with threads
 * when the page is cross-origin isolated), then cpu. `?backend=` forces one; a forced webgl accepts
 * software rendering (SwiftShader), which tfjs otherwise refuses. Once it runs, the training ops are
 * chosen (src/core/accelerator: its wasm kernels on wasm, unless `?kernels=stock`).
 */
import * as tf from '../core/tf';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { acceleratorFeatures, startKernels, wantedWasmThreads, withReportedCores } from '../core/accelerator';
import type { KernelsChoice, TrainingOps } from '../core/ops';
import { backendFailedMessage, type BackendChoice, type BackendName } from './protocol';

/** The order tried when no backend is forced. */
export const AUTO_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** The backend in use and a label for people, e.g. "wasm (2 threads + helper, SIMD, FMA)". */
export interface BackendInfo {
  name: BackendName;
  label: string;
}

let wasmPathsSet = false;

/** The WebGL renderer's name, or null when there is no WebGL here. */
function webglRenderer(): string | null {
  try {
    const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : null;
    const gl = (canvas?.getContext('webgl2') ?? canvas?.getContext('webgl')) as WebGLRenderingContext | null | undefined;
    if (!gl) return null;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return null;
  }
}

/** True when WebGL is rendered on the CPU (SwiftShader, llvmpipe): slower than wasm for training. */
export function isSoftwareRenderer(renderer: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer);
}

/** What the browser offers, probed once: a WebGPU adapter, and the WebGL renderer's name. */
interface Probes {
  webgpu: Promise<boolean>;
  webglRenderer: string | null;
}

/** True when the browser gives a WebGPU adapter. */
async function hasWebGpu(): Promise<boolean> {
  try {
    const gpu = (globalThis.navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    return Boolean(gpu && (await gpu.requestAdapter()));
  } catch {
    return false;
  }
}

/**
 * Starts the probes the backends in `order` need, at once: asking for a WebGPU adapter is slow when
 * there is no GPU, and so is making a WebGL context to read the renderer's name; they overlap.
 */
function probe(order: readonly BackendName[]): Probes {
  const webgpu = order.includes('webgpu') ? hasWebGpu() : Promise.resolve(false);
  return { webgpu, webglRenderer: order.includes('webgl') ? webglRenderer() : null };
}

async function tryBackend(name: BackendName, forced: boolean, probes: Probes): Promise<boolean> {
  try {
    if (name === 'webgpu') {
      if (!(await probes.webgpu)) return false;
      await import('@tensorflow/tfjs-backend-webgpu');
    }
    if (name === 'webgl') {
      // tfjs is meant to refuse software WebGL (failIfMajorPerformanceCaveat), but in a worker the
      // browser may not flag it; check the renderer too. Only a forced choice accepts software.
      const renderer = probes.webglRenderer;
      if (!renderer || (!forced && isSoftwareRenderer(renderer))) return false;
      tf.env().set('SOFTWARE_WEBGL_ENABLED', forced);
    }
    let threads = 1;
    if (name === 'wasm') {
      threads = wantedWasmThreads();
      if (!wasmPathsSet) {
        setWasmPaths({
          'tfjs-backend-wasm.wasm': wasmPlainUrl,
          'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
          'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
        });
        setThreadsCount(threads);
        wasmPathsSet = true;
      }
    }
    const start = async (): Promise<boolean> => {
      if (!(await tf.setBackend(name))) return false;
      await tf.ready();
      return true;
    };
    if (!(await (name === 'wasm' ? withReportedCores(2 * threads, start) : start()))) return false;
    // A tiny computation proves the backend really works (some fail only on first use).
    const probe = tf.tidy(() => tf.sum(tf.matMul(tf.ones([2, 2]), tf.ones([2, 2]))));
    const value = (await probe.data())[0];
    probe.dispose();
    return value === 8;
  } catch {
    return false;
  }
}

/** Describes the active backend and the training ops on it for the status line. */
function describe(name: BackendName, ops: TrainingOps): string {
  if (name === 'wasm') {
    const threads = globalThis.crossOriginIsolated ? getThreadsCount() : 1;
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') as boolean;
    // The project's kernels: a second thread for the large ones, products with fused multiply-add.
    const own = ops.kind === 'accelerated' ? acceleratorFeatures() : { helper: false, fma: false };
    const features = [simd && 'SIMD', own.fma && 'FMA', ops.kind === 'stock' && 'stock kernels'].filter(Boolean);
    return `wasm (${threads} thread${threads === 1 ? '' : 's'}${own.helper ? ' + helper' : ''}${features.map((f) => `, ${f}`).join('')})`;
  }
  if (name === 'webgl') {
    const renderer = webglRenderer();
    const software = renderer && isSoftwareRenderer(renderer) ? ' (software rendering)' : '';
    return `webgl ${tf.env().getNumber('WEBGL_VERSION')}${software}`;
  }
  return name;
}

/**
 * Starts the chosen backend, or the first that works, then the training ops of `kernels` on it;
 * throws in plain words if no backend works.
 */
export async function initBackend(choice: BackendChoice, kernels: KernelsChoice = 'accelerated'): Promise<BackendInfo> {
  const order = choice === 'auto' ? AUTO_ORDER : [choice];
  const probes = probe(order);
  for (const name of order) {
    if (await tryBackend(name, choice !== 'auto', probes)) return { name, label: describe(name, await startKernels(kernels)) };
  }
  throw new Error(backendFailedMessage(choice));
}
