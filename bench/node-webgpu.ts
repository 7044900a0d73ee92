/**
 * The project's training on tfjs' WebGPU backend in Node, through Dawn (the `webgpu` package's
 * dawn.node): the core Trainer on the stock training ops (what the app runs on webgl and webgpu) for
 * the app's default model (784-512-256-2) and 784-400-20, batch 128. The nearest thing to "a person
 * with a GPU" on a machine that has a GPU but no browser. The reference, measured in the same
 * process: the same Trainer on tfjs' cpu backend, so every speed is also a ratio.
 *
 * One JSON line each on stdout:
 *   {bench: 'webgpu_adapter', where: 'node-dawn-webgpu', adapter: {vendor, architecture, device, description}, dawn_options}
 *   {bench: 'train_throughput', where: 'node-dawn-webgpu', backend, adapter, model, batch, steps, blocks,
 *    ms_per_step, examples_per_s, kernels_per_step, metrics_every, gpu_kernel_ms_per_step, loss_first, loss_last}
 * gpu_kernel_ms_per_step needs timestamp queries: Dawn offers them with
 * `--dawn enable-dawn-features=allow_unsafe_apis` (null without).
 *   {bench: 'ratio', what: 'node-dawn-webgpu / tfjs-cpu (same process)', model, value}
 * or one line {bench: 'train_throughput', where: 'node-dawn-webgpu', skipped: <why>} (exit 0) when the
 * `webgpu` package does not load or Dawn finds no adapter.
 *
 * `webgpu` is not a dependency of this project (it ships a 21 MB native module per platform): install
 * it anywhere (`npm install --prefix /tmp/x webgpu`) and name it with --webgpu, or bundle this file
 * (`npx esbuild bench/node-webgpu.ts --bundle --platform=node --format=esm --outfile=.gpu/bench.mjs`)
 * and put the package in .gpu/node_modules. Timing as bench/throughput.ts: wall clock after a warm-up,
 * metrics read every 10 steps, so the GPU's queued work is inside the clock.
 *
 *   npx tsx bench/node-webgpu.ts --webgpu /tmp/x/node_modules/webgpu/index.js [--steps 200 --dawn backend=vulkan]
 */
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
// Every gradient and the cpu backend, as scripts/lib/tf-node.ts (the umbrella's Node bundle).
import '@tensorflow/tfjs';
import * as tf from '../src/core/tf';
import { defaultMnistDir, loadDatasetFromDir } from '../scripts/lib/load-dataset-node';
import { makeConfig, type VaeConfig } from '../src/core/model/config';
import { Vae } from '../src/core/model/vae';
import { Trainer, type StepMetrics } from '../src/core/train/trainer';
import { setTrainingOps, stockOps, trainingOps } from '../src/core/ops';
import type { ImageDataset } from '../src/core/data/dataset';

const WHERE = 'node-dawn-webgpu';
const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '200' },
    blocks: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '20' },
    // Read the losses back every this many steps (10: as the app and bench/throughput.ts do).
    'metrics-every': { type: 'string', default: '10' },
    'reference-steps': { type: 'string', default: '30' },
    webgpu: { type: 'string', default: 'webgpu' },
    dawn: { type: 'string', multiple: true, default: [] },
    mnist: { type: 'string' },
    // WebGPU's compatibility feature level (Dawn on OpenGL ES, e.g. Mesa's llvmpipe where no Vulkan GPU is): for trying this out.
    compat: { type: 'boolean', default: false },
  },
});
const emit = (record: object) => console.log(JSON.stringify(record));
const steps = Number(args.steps);
const blocks = Number(args.blocks);
const warmup = Number(args.warmup);
const metricsEvery = Number(args['metrics-every']);

interface DawnModule {
  create(options: string[]): { requestAdapter(o?: object): Promise<GpuAdapterLike | null> };
  globals: Record<string, unknown>;
}
interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}

/** Loads `webgpu` (a package name, or a path to its index.js) and installs navigator.gpu; the adapter, or why there is none. */
async function startDawn(): Promise<{ adapter: Record<string, string> } | { why: string }> {
  let dawn: DawnModule;
  const spec = args.webgpu.includes('/') ? pathToFileURL(args.webgpu).href : args.webgpu;
  try {
    dawn = (await import(spec)) as DawnModule;
  } catch (error) {
    return { why: `the webgpu package (${args.webgpu}) did not load: ${String((error as Error).message).split('\n')[0]}` };
  }
  Object.assign(globalThis, dawn.globals); // GPUBufferUsage, GPUMapMode, ... as a browser has them
  const gpu = dawn.create(args.dawn);
  if (args.compat) {
    const request = gpu.requestAdapter.bind(gpu); // tfjs asks for an adapter itself, without a feature level
    gpu.requestAdapter = (o?: object) => request({ ...o, featureLevel: 'compatibility' });
  }
  // tfjs-backend-webgpu registers itself on import only when navigator.gpu exists (Node 20 has no navigator).
  const navigator = { gpu, userAgent: `Node.js/${process.version}`, hardwareConcurrency: cpus().length };
  Object.defineProperty(globalThis, 'navigator', { value: navigator, configurable: true, writable: true });
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { why: `Dawn found no WebGPU adapter (options: ${JSON.stringify(args.dawn)})` };
  const info = adapter.info ?? {};
  return {
    adapter: { vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '' },
  };
}

function modelName(c: VaeConfig): string {
  return [c.inputDim, ...c.hidden, c.latentDim].join('-');
}

interface Measured {
  blocks: number[];
  examplesPerS: number;
  kernelsPerStep: number;
  /** Summed GPU time of the kernels per step under tf.profile (timestamp queries), or null where the device has none. */
  kernelMsPerStep: number | null;
  lossFirst: number;
  lossLast: number;
}

/**
 * The Trainer on the current backend: `warmupSteps` untimed steps, then `nBlocks` timed blocks of
 * `nSteps` steps (median block reported), then 5 steps under tf.profile for the kernels dispatched
 * per step (registered kernels only: tf.profile also lists op scopes). Disposes what it made.
 */
async function measure(config: VaeConfig, train: ImageDataset, nSteps: number, nBlocks: number, warmupSteps: number): Promise<Measured> {
  const tensorsBefore = tf.memory().numTensors;
  const vae = Vae.create(config);
  const trainer = new Trainer(vae, train);
  const losses: StepMetrics[] = [];
  try {
    for (let i = 0; i < warmupSteps; i++) trainer.trainStep();
    losses.push(...(await trainer.readMetrics()));
    const rates: number[] = [];
    for (let b = 0; b < nBlocks; b++) {
      const started = performance.now();
      for (let i = 1; i <= nSteps; i++) {
        trainer.trainStep();
        if (i % metricsEvery === 0) losses.push(...(await trainer.readMetrics()));
      }
      losses.push(...(await trainer.readMetrics()));
      rates.push((nSteps * config.batchSize) / ((performance.now() - started) / 1000));
    }
    const profileSteps = 5;
    const backend = tf.getBackend();
    const profile = await tf.profile(async () => {
      for (let i = 0; i < profileSteps; i++) trainer.trainStep();
      await trainer.readMetrics();
    });
    const kernels = profile.kernels.filter((k) => tf.getKernel(k.name, backend) !== undefined);
    const kernelMs = kernels.reduce((sum, k) => sum + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0), 0);
    const sorted = [...rates].sort((a, b) => a - b);
    return {
      blocks: rates.map(Math.round),
      examplesPerS: sorted[Math.floor((sorted.length - 1) / 2)],
      kernelsPerStep: kernels.length / profileSteps,
      kernelMsPerStep: kernelMs > 0 ? kernelMs / profileSteps : null,
      lossFirst: losses[0]?.total ?? NaN,
      lossLast: losses[losses.length - 1]?.total ?? NaN,
    };
  } finally {
    trainer.dispose();
    vae.dispose();
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked !== 0) emit({ bench: 'warning', what: `${leaked} tensors left after ${modelName(config)} on ${tf.getBackend()}` });
  }
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

const started = await startDawn();
if ('why' in started) {
  emit({ bench: 'train_throughput', where: WHERE, skipped: started.why });
  process.exit(0);
}
emit({ bench: 'webgpu_adapter', where: WHERE, adapter: started.adapter, dawn_options: args.dawn, compat: args.compat, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, tfjs: tf.version_core });

await import('@tensorflow/tfjs-backend-webgpu');
if (!(await tf.setBackend('webgpu'))) {
  emit({ bench: 'train_throughput', where: WHERE, adapter: started.adapter, skipped: 'tfjs could not start its webgpu backend on this adapter' });
  process.exit(0);
}
await tf.ready();
setTrainingOps(stockOps); // what the app runs on webgl and webgpu (src/worker/backend.ts)
if (trainingOps() !== stockOps) throw new Error('the stock training ops are not in use');

const data = await loadDatasetFromDir(args.mnist ?? defaultMnistDir());
const configs = [makeConfig(), makeConfig({ hidden: [400], latentDim: 20, batchSize: 128 })];
const gpuRates = new Map<string, number>();
for (const config of configs) {
  const m = await measure(config, data.train, steps, blocks, warmup);
  gpuRates.set(modelName(config), m.examplesPerS);
  emit({
    bench: 'train_throughput', where: WHERE, backend: tf.getBackend(), kernels: 'stock', adapter: started.adapter,
    model: modelName(config), batch: config.batchSize, steps, blocks: m.blocks,
    ms_per_step: round((config.batchSize / m.examplesPerS) * 1000), examples_per_s: Math.round(m.examplesPerS),
    kernels_per_step: round(m.kernelsPerStep, 1), metrics_every: metricsEvery,
    gpu_kernel_ms_per_step: m.kernelMsPerStep === null ? null : round(m.kernelMsPerStep, 3), loss_first: round(m.lossFirst, 1), loss_last: round(m.lossLast, 1),
  });
}

// The reference: the same Trainer and ops on tfjs' cpu backend (plain JavaScript), same process.
const referenceSteps = Number(args['reference-steps']);
if (referenceSteps > 0) {
  await tf.setBackend('cpu');
  for (const config of configs) {
    const m = await measure(config, data.train, referenceSteps, 1, 3);
    emit({
      bench: 'train_throughput', where: 'node', backend: 'cpu', kernels: 'stock', model: modelName(config), batch: config.batchSize,
      steps: referenceSteps, ms_per_step: round((config.batchSize / m.examplesPerS) * 1000), examples_per_s: Math.round(m.examplesPerS),
    });
    emit({ bench: 'ratio', what: `${WHERE} / tfjs-cpu (same process)`, model: modelName(config), value: round(gpuRates.get(modelName(config))! / m.examplesPerS) });
  }
}
process.exit(0); // dawn.node keeps the event loop alive
