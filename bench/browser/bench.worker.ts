/**
 * Browser benchmark worker: the project's core Trainer on a tfjs backend (wasm by default; webgl or
 * webgpu as the app's forced `?backend=` starts them), in a dedicated worker like the app's training
 * worker. One worker per run (XNNPACK's pool size is fixed when the backend starts). Replies with
 * throughput, per-kernel times and, on wasm, a matMul probe.
 */
import '../../src/worker/tf-browser';
import * as tf from '../../src/core/tf';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { loadImageDataset } from '../../src/core/data/load-dataset';
import { makeConfig } from '../../src/core/model/config';
import { Vae } from '../../src/core/model/vae';
import { Trainer } from '../../src/core/train/trainer';
import { opsFor, probeRelaxedSimd } from '../../src/core/accelerator';
import { hasFmaProducts, matMulOpA } from '../../src/core/accelerator/gemm';
import { helperJobsDone, setHelperThreadEnabled, startHelperThread } from '../../src/core/accelerator/helper-thread';
import { activeWasmBackend } from '../../src/core/accelerator/wasm-heap';
import { setTrainingOps } from '../../src/core/ops';
import { initBackend } from '../../src/worker/backend';
import type { BenchRequest, BenchResult, HelperCheckRequest, HelperCheckResult, KernelTime, MatMulTime } from './protocol';

const scope = self as unknown as { postMessage(m: unknown): void; onmessage: ((e: MessageEvent<BenchRequest | { helperCheck: HelperCheckRequest }>) => void) | null };

async function startWasm(threads: number): Promise<void> {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlainUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
  });
  if (threads > 0) setThreadsCount(threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
  await tf.ready();
  await probeRelaxedSimd(); // as startKernels does: gemm.ts runs only once relaxed SIMD is known to be there
}

/**
 * Milliseconds per call of a product of the given shapes (operands fixed, so XNNPACK packs once):
 * tfjs' matMul (XNNPACK), or with `own` the project's gemm.wat (matMulOpA; no transposeB).
 */
function timeMatMul(a: [number, number], b: [number, number], transposeA: boolean, transposeB: boolean, reps: number, own = false): number {
  const x = tf.randomNormal(a) as tf.Tensor2D;
  const y = tf.randomNormal(b) as tf.Tensor2D;
  const multiply = () => (own ? matMulOpA(x, y, transposeA) : tf.matMul(x, y, transposeA, transposeB));
  for (let i = 0; i < 3; i++) multiply().dispose();
  const started = performance.now();
  for (let i = 0; i < reps; i++) multiply().dispose();
  const ms = (performance.now() - started) / reps;
  tf.dispose([x, y]);
  return ms;
}

/**
 * What a kernel is, for the time breakdown: matrix products of the 784x400 layers (XNNPACK or
 * gemm.wat), other products, this project's other wasm kernels (src/core/accelerator: the sparse first layer, the loss,
 * transposes, bias and ReLU, the latent block), other element-wise work on weight-sized tensors,
 * and small kernels (batch-sized activations, biases, losses), whose cost is mostly per-call overhead.
 */
function kindOf(name: string, shapes: (number[] | null)[]): string {
  const largest = Math.max(0, ...shapes.map((s) => (s ? s.reduce((a, b) => a * b, 1) : 0)));
  if (name === 'BatchMatMul' || name === '_FusedMatMul' || name === 'VaeGemm') return largest >= 100_000 ? 'matmul, 784-wide layers' : 'matmul, other';
  if (name.startsWith('Vae')) return 'own wasm kernels';
  if (largest >= 100_000) return 'element-wise on weight-sized tensors';
  return 'small kernels';
}

/** The WebGL renderer's name (UNMASKED_RENDERER_WEBGL) as a worker's OffscreenCanvas sees it, or null. */
function webglRenderer(): string | null {
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2') as WebGL2RenderingContext | null;
  if (!gl) return null;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

async function run(req: BenchRequest): Promise<BenchResult> {
  const realCores = navigator.hardwareConcurrency;
  if (req.reportCores) {
    const cores = req.reportCores;
    Object.defineProperty(Object.getPrototypeOf(navigator), 'hardwareConcurrency', { get: () => cores, configurable: true });
  }
  const t0 = performance.now();
  let label = '';
  setHelperThreadEnabled(req.helper !== false); // before the backend starts, so that its label says so
  const backend = req.backend ?? 'wasm';
  if (backend !== 'wasm' && req.mode !== 'app') throw new Error(`the ${backend} backend runs only in app mode`);
  if (req.mode === 'app') label = (await initBackend(backend, req.kernels)).label;
  else {
    await startWasm(req.threads);
    setTrainingOps(opsFor(req.kernels ?? 'accelerated'));
  }
  const wasmBackend = activeWasmBackend();
  if (req.mode === 'explicit' && req.helper === true && wasmBackend) await startHelperThread(wasmBackend);
  if (tf.getBackend() !== backend) throw new Error(`the backend is ${tf.getBackend()}, not ${backend}`);
  const backendMs = performance.now() - t0;
  const data = await loadImageDataset(req.dataUrl);
  const config = makeConfig({ family: req.arch ?? 'mlp', hidden: req.hidden, latentDim: req.latent, batchSize: req.batch });
  const vae = Vae.create(config);
  const trainer = new Trainer(vae, data.train);
  for (let i = 0; i < (req.warmup ?? 10); i++) trainer.trainStep();
  await trainer.readMetrics();
  const jobsBefore = helperJobsDone();
  const blocks: number[] = [];
  for (let block = 0; block < Math.max(1, req.repeats); block++) {
    const started = performance.now();
    for (let i = 1; i <= req.steps; i++) {
      trainer.trainStep();
      if (i % 10 === 0) await trainer.readMetrics();
    }
    await trainer.readMetrics();
    blocks.push((req.steps * req.batch) / ((performance.now() - started) / 1000));
  }
  const helperJobsPerStep = (helperJobsDone() - jobsBefore) / (req.steps * blocks.length);
  const sorted = [...blocks].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];

  // Where a step's time goes: tf.profile's per-kernel times (wasm kernels run synchronously).
  const profileSteps = Math.max(1, req.profileSteps ?? 10);
  const profile = await tf.profile(async () => {
    for (let i = 0; i < profileSteps; i++) trainer.trainStep();
    await trainer.readMetrics();
  });
  const byKernel = new Map<string, KernelTime>();
  let kernelCount = 0;
  let kernelMs = 0;
  const kinds: Record<string, { kernels: number; ms: number }> = {};
  const backendName = tf.getBackend();
  for (const k of profile.kernels) {
    // tf.profile also lists scopes (customGrad's "forward", op wrappers); count only real kernels.
    if (!tf.getKernel(k.name, backendName)) continue;
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const key = `${k.name} ${k.inputShapes.map((s) => (s ? `[${s.join('x')}]` : '-')).join(' ')}`;
    const entry = byKernel.get(key) ?? { kernel: k.name, shapes: key.slice(k.name.length + 1), calls: 0, ms_per_step: 0 };
    entry.calls += 1 / profileSteps;
    entry.ms_per_step += ms / profileSteps;
    byKernel.set(key, entry);
    const kind = kindOf(k.name, k.inputShapes);
    kinds[kind] ??= { kernels: 0, ms: 0 };
    kinds[kind].kernels += 1 / profileSteps;
    kinds[kind].ms += ms / profileSteps;
    kernelCount++;
    kernelMs += ms;
  }
  const kernels = [...byKernel.values()]
    .sort((a, b) => b.ms_per_step - a.ms_per_step)
    .slice(0, req.topKernels)
    .map((k) => ({ ...k, calls: Math.round(k.calls * 10) / 10, ms_per_step: Math.round(k.ms_per_step * 100) / 100 }));
  trainer.dispose();
  vae.dispose();

  // The products of a 784-400 dense layer at batch 128, plain and transposed.
  const matmuls: MatMulTime[] = [];
  if (req.matmul) {
    type Case = [string, [number, number], [number, number], boolean, boolean, boolean?];
    const ownCases: Case[] = [
      ['gemm.wat [400x784]·[784x128] (FMA, helper thread as set)', [400, 784], [784, 128], false, false, true],
      ['gemm.wat [400x784]ᵀ·[400x128] transposeA (FMA, helper thread as set)', [400, 784], [400, 128], true, false, true],
    ];
    const cases: Case[] = [
      ...(hasFmaProducts() ? ownCases : []),
      ['[400x784]·[784x128] (forward, feature-major)', [400, 784], [784, 128], false, false],
      ['[784x128]·[128x400] (weight gradient X·Gᵀ, explicit transpose)', [784, 128], [128, 400], false, false],
      ['[128x784]ᵀ·[128x400] transposeA (weight gradient, stock autodiff)', [128, 784], [128, 400], true, false],
      ['[128x400]·[784x400]ᵀ transposeB (input gradient, stock autodiff)', [128, 400], [784, 400], false, true],
    ];
    for (const [what, a, b, ta, tb, ownKernel] of cases) {
      const ms = timeMatMul(a, b, ta, tb, 40, ownKernel);
      const flops = 2 * (ta ? a[1] : a[0]) * (ta ? a[0] : a[1]) * (tb ? b[0] : b[1]);
      matmuls.push({ what, ms: Math.round(ms * 1000) / 1000, gflops: Math.round((flops / ms / 1e6) * 10) / 10 });
    }
  }
  return {
    mode: req.mode,
    backend: tf.getBackend(),
    renderer: backend === 'webgl' ? webglRenderer() : null,
    label,
    requestedThreads: req.threads,
    threads: backend === 'wasm' ? getThreadsCount() : 0,
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
    hardwareConcurrency: realCores,
    reportedCores: navigator.hardwareConcurrency,
    simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean,
    multithread: (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) as boolean,
    backendMs: Math.round(backendMs),
    steps: req.steps,
    examplesPerS: median,
    bestExamplesPerS: sorted[sorted.length - 1],
    blocks: blocks.map((b) => Math.round(b)),
    msPerStep: (req.batch / median) * 1000,
    kinds: Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, { kernels: Math.round(v.kernels * 10) / 10, ms: Math.round(v.ms * 100) / 100 }])),
    helperJobsPerStep,
    kernelsPerStep: kernelCount / profileSteps,
    kernelMsPerStep: kernelMs / profileSteps,
    kernels,
    matmuls,
  };
}

/** Trains `steps` steps from one seed with the kernel helper thread, then again without it. */
async function checkHelper(req: HelperCheckRequest): Promise<HelperCheckResult> {
  const backendLabel = (await initBackend('wasm')).label;
  const data = await loadImageDataset(req.dataUrl);
  const numTensorsBefore = tf.memory().numTensors;
  const totals = async (helper: boolean): Promise<number[]> => {
    setHelperThreadEnabled(helper);
    const vae = Vae.create(makeConfig({ hidden: req.hidden, latentDim: req.latent, batchSize: req.batch }));
    const trainer = new Trainer(vae, data.train);
    for (let i = 0; i < req.steps; i++) trainer.trainStep();
    const metrics = await trainer.readMetrics();
    trainer.dispose();
    vae.dispose();
    return metrics.map((m) => m.total);
  };
  const withHelper = await totals(true);
  const helperJobs = helperJobsDone();
  const withoutHelper = await totals(false);
  return { backendLabel, withHelper, withoutHelper, helperJobs, numTensorsBefore, numTensorsAfter: tf.memory().numTensors };
}

scope.onmessage = (e: MessageEvent<BenchRequest | { helperCheck: HelperCheckRequest }>) => {
  ('helperCheck' in e.data ? checkHelper(e.data.helperCheck) : run(e.data)).then(
    (result) => scope.postMessage({ ok: true, result }),
    (err: unknown) => scope.postMessage({ ok: false, error: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) }),
  );
};
