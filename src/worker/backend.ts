/**
 * Choosing the tfjs backend inside the worker: webgpu, then hardware webgl, then wasm (with threads
 * when the page is cross-origin isolated), then cpu. `?backend=` forces one; a forced webgl accepts
 * software rendering (SwiftShader), which tfjs otherwise refuses.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendChoice, BackendName } from './protocol';

/** The order tried when no backend is forced. */
export const AUTO_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** The backend in use and a label for people, e.g. "wasm (2 threads, SIMD)". */
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

async function tryBackend(name: BackendName, forced: boolean): Promise<boolean> {
  try {
    if (name === 'webgpu') {
      const gpu = (globalThis.navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      if (!gpu || !(await gpu.requestAdapter())) return false;
      await import('@tensorflow/tfjs-backend-webgpu');
    }
    if (name === 'webgl') {
      // tfjs is meant to refuse software WebGL (failIfMajorPerformanceCaveat), but in a worker the
      // browser may not flag it; check the renderer too. Only a forced choice accepts software.
      const renderer = webglRenderer();
      if (!renderer || (!forced && isSoftwareRenderer(renderer))) return false;
      tf.env().set('SOFTWARE_WEBGL_ENABLED', forced);
    }
    if (name === 'wasm' && !wasmPathsSet) {
      setWasmPaths({
        'tfjs-backend-wasm.wasm': wasmPlainUrl,
        'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
        'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
      });
      // tfjs defaults to half the cores; the training worker is the only busy thread, so use them all (up to 4).
      setThreadsCount(Math.max(1, Math.min(4, globalThis.navigator?.hardwareConcurrency ?? 1)));
      wasmPathsSet = true;
    }
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    // A tiny computation proves the backend really works (some fail only on first use).
    const probe = tf.tidy(() => tf.sum(tf.matMul(tf.ones([2, 2]), tf.ones([2, 2]))));
    const value = (await probe.data())[0];
    probe.dispose();
    return value === 8;
  } catch {
    return false;
  }
}

/** Describes the active backend for the status line. */
function describe(name: BackendName): string {
  if (name === 'wasm') {
    const threads = globalThis.crossOriginIsolated ? getThreadsCount() : 1;
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') as boolean;
    return `wasm (${threads} thread${threads === 1 ? '' : 's'}${simd ? ', SIMD' : ''})`;
  }
  if (name === 'webgl') {
    const renderer = webglRenderer();
    const software = renderer && isSoftwareRenderer(renderer) ? ' (software rendering)' : '';
    return `webgl ${tf.env().getNumber('WEBGL_VERSION')}${software}`;
  }
  return name;
}

/** Starts the chosen backend, or the first that works; throws in plain words if none does. */
export async function initBackend(choice: BackendChoice): Promise<BackendInfo> {
  const order = choice === 'auto' ? AUTO_ORDER : [choice];
  for (const name of order) {
    if (await tryBackend(name, choice !== 'auto')) return { name, label: describe(name) };
  }
  if (choice !== 'auto') {
    throw new Error(`The "${choice}" backend does not work in this browser. Remove backend=${choice} from the address to pick one automatically.`);
  }
  throw new Error('No TensorFlow.js backend works in this browser (tried webgpu, webgl, wasm and cpu).');
}
