/**
 * The benchmark page: `window.runBench(request)` runs one benchmark in a fresh worker;
 * `window.runHelperCheck(request)` trains with and without the kernel helper thread (e2e test);
 * `window.gpuInfo()` names the GPU the page's WebGL and WebGPU get (SwiftShader or a real one).
 */
import type { BenchRequest, BenchResult, GpuInfo, HelperCheckRequest, HelperCheckResult, RunBench } from './protocol';

const log = document.getElementById('log');

/** Posts `message` to a fresh benchmark worker and resolves with its one reply. */
function inFreshWorker<T>(message: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module', name: 'bench' });
    worker.onmessage = (e: MessageEvent<{ ok: true; result: T } | { ok: false; error: string }>) => {
      worker.terminate();
      if (log) log.textContent += `${JSON.stringify(e.data)}\n`;
      if (e.data.ok) resolve(e.data.result);
      else reject(new Error(e.data.error));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(`benchmark worker failed: ${e.message}`));
    };
    worker.postMessage(message);
  });
}

const runBench: RunBench = (req: BenchRequest) => inFreshWorker<BenchResult>(req);
const runHelperCheck = (req: HelperCheckRequest) => inFreshWorker<HelperCheckResult>({ helperCheck: req });

/** The WebGL renderer and vendor of a canvas here, and the WebGPU adapter's info; null where there is none. */
async function gpuInfo(): Promise<GpuInfo> {
  let webglRenderer: string | null = null;
  let webglVendor: string | null = null;
  const canvas = document.createElement('canvas');
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
  if (gl) {
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    webglRenderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    webglVendor = String(gl.getParameter(info ? info.UNMASKED_VENDOR_WEBGL : gl.VENDOR));
  }
  let webgpuAdapter: Record<string, string> | null = null;
  type Adapter = { info?: Record<string, string> };
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<Adapter | null> } }).gpu;
  try {
    const adapter = gpu ? await gpu.requestAdapter() : null;
    if (adapter) {
      const info = adapter.info ?? {};
      webgpuAdapter = { vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '' };
    }
  } catch {
    webgpuAdapter = null;
  }
  return { webglRenderer, webglVendor, webgpuAdapter };
}

Object.assign(window, { runBench, runHelperCheck, gpuInfo });
