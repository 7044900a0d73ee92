/**
 * Benchmarks, one JSON line each (npm run bench). Speed is reported as ratios against references
 * measured in the same run: the project's Trainer on the stock training ops (src/core/ops/stock.ts,
 * what ?kernels=stock runs) beside the wasm accelerator's, a straightforward tfjs implementation
 * (tf.layers apply + stock autodiff + tf.train.adam) and, when python3-torch is installed, the
 * PyTorch reference VAE (../shared/reference/torch_vae.py). After the Node part, the browser part
 * (bench/browser.ts) runs in headless Chromium. VAE_KERNELS=stock makes the stock ops the run's main
 * figure (the one compared with PyTorch and the browser).
 *
 * The headline comes from bench/app-run.ts: the app itself, production build, Train pressed, panels on
 * and off, against PyTorch measured with no browser running; then 10 minutes of training of the app
 * (--long-minutes, 0 in --quick) for its rate per minute and the tab's memory.
 *
 *   npm run bench [-- --steps 300 --quick --no-browser --long-minutes 10]
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { initNodeBackend, kernelsFromEnv, tf } from '../scripts/lib/tf-node';
import { loadDatasetFromDir } from '../scripts/lib/load-dataset-node';
import { makeConfig, type VaeConfig } from '../src/core/model/config';
import { Vae } from '../src/core/model/vae';
import { Trainer } from '../src/core/train/trainer';
import { withKernels } from '../src/core/accelerator';
import type { KernelsChoice } from '../src/core/ops';
import { MlpDecoder } from '../src/core/latent/mlp-decoder';
import { decoderSnapshot } from '../src/worker/readouts';
import { NaiveTrainer } from './naive-step';
import { convNodeThroughput } from './conv';
import { throughput as timedThroughput, type StepLoop } from './throughput';
import { appRunOptionsFromArgs, runAppBenchmarks } from './app-run';
import { runBrowserBenchmarks } from './browser';
import { runTorch } from './torch';
import type { ImageDataset } from '../src/core/data/dataset';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '300' },
    quick: { type: 'boolean', default: false },
    'no-browser': { type: 'boolean', default: false },
    'long-minutes': { type: 'string' },
  },
});
const steps = args.quick ? 50 : Number(args.steps);
const emit = (record: object) => console.log(JSON.stringify({ ...record }));

const backend = await initNodeBackend('wasm');
const data = await loadDatasetFromDir();
const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, tfjs: tf.version_core };
emit({ bench: 'machine', ...machine });

/** Examples per second of a training loop over `steps` steps after a warm-up (bench/throughput.ts). */
const throughput = (config: VaeConfig, makeLoop: (vae: Vae, train: ImageDataset) => StepLoop) => timedThroughput(config, makeLoop, data.train, steps);

const reference = makeConfig({ hidden: [400], latentDim: 20, batchSize: 128 });
const trainer = (vae: Vae, train: ImageDataset) => new Trainer(vae, train);
const accelerated = await withKernels('accelerated', () => throughput(reference, trainer));
const stock = await withKernels('stock', () => throughput(reference, trainer));
const naive = await throughput(reference, (vae, train) => new NaiveTrainer(vae, train));
// The run's main figure: the ops VAE_KERNELS chose (the accelerator's unless it says stock).
const fast = kernelsFromEnv() === 'stock' ? stock : accelerated;
const row = (impl: string, kernels: KernelsChoice | undefined, rate: number) =>
  ({ bench: 'train_throughput', impl, kernels, where: 'node', model: '784-400-20', batch: 128, steps, examples_per_s: Math.round(rate) });
emit(row('tfjs-' + backend, 'accelerated', accelerated));
emit(row('tfjs-' + backend + '-stock-ops', 'stock', stock));
emit(row('tfjs-' + backend + '-naive', undefined, naive)); // tf.layers, autodiff and tf.train.adam
emit({ bench: 'ratio', what: 'accelerated / stock training ops (same process)', value: round(accelerated / stock) });
emit({ bench: 'ratio', what: 'stock training ops / naive tfjs (same process)', value: round(stock / naive) });
emit({ bench: 'ratio', what: 'fast / naive tfjs (same process)', value: round(fast / naive) });

const torch = runTorch({ hidden: '400', latent: 20, batch: 128, steps: Math.max(steps, 100) }, emit);
if (torch) {
  emit({ bench: 'train_throughput', impl: 'pytorch', where: 'native', model: '784-400-20', batch: 128, threads: torch.threads, openblas_threads: 'default (all cores)', torch: torch.torch, examples_per_s: torch.examples_per_s });
  emit({ bench: 'ratio', what: 'tfjs-wasm node / pytorch cpu', value: round(fast / torch.examples_per_s) });
  emit({ bench: 'ratio', what: 'naive tfjs-wasm node / pytorch cpu', value: round(naive / torch.examples_per_s) });
}
// The script's torch.set_num_threads(1) leaves Debian's OpenBLAS on every core; this is the strict 1-thread figure.
const torch1 = runTorch({ hidden: '400', latent: 20, batch: 128, steps: Math.max(steps, 100), openblasThreads: 1 }, emit);
if (torch1) {
  emit({ bench: 'train_throughput', impl: 'pytorch', where: 'native', model: '784-400-20', batch: 128, threads: 1, openblas_threads: 1, torch: torch1.torch, examples_per_s: torch1.examples_per_s });
  emit({ bench: 'ratio', what: 'tfjs-wasm node (1 thread) / pytorch cpu (OpenBLAS 1 thread)', value: round(fast / torch1.examples_per_s) });
}

// Kernels dispatched per training step of the app's default model, on each implementation of the
// training ops (WebGL and WebGPU run the stock ops, where each kernel is a GPU dispatch).
for (const kernels of ['accelerated', 'stock'] as const) {
  await withKernels(kernels, async () => {
    const vae = Vae.create(makeConfig());
    const trainer = new Trainer(vae, data.train);
    trainer.trainStep();
    await trainer.readMetrics();
    const profile = await tf.profile(async () => {
      for (let i = 0; i < 5; i++) trainer.trainStep();
      await trainer.readMetrics();
    });
    const dispatched = profile.kernels.filter((k) => !['forward', 'fusedMatMul__op'].includes(k.name));
    emit({ bench: 'kernels_per_step', kernels, model: '784-512-256-2', batch: 128, count: Math.round(dispatched.length / 5) });
    trainer.dispose();
    vae.dispose();
  });
}

// The convolutional VAE (the Keras example) at latent 2 and 16: accelerated and stock ops, and PyTorch's --arch conv (bench/conv.ts).
await convNodeThroughput(emit, { train: data.train, backend, steps: args.quick ? 10 : 30 });

// The main thread decodes the dragged latent point in plain JS (core/latent/mlp-decoder.ts); it must
// fit well inside a frame. p50 and p95 of one decode of the app's default 2-256-512-784 decoder.
{
  const vae = Vae.create(makeConfig());
  const decoder = new MlpDecoder(await decoderSnapshot(vae));
  const out = new Float32Array(784);
  for (let i = 0; i < 50; i++) decoder.decode([i / 10, -i / 10], out); // warm up the JIT
  const times: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t0 = performance.now();
    decoder.decode([Math.sin(i), Math.cos(i)], out);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  emit({ bench: 'main_thread_decode', model: '2-256-512-784', p50_ms: round(times[249]), p95_ms: round(times[474]) });
  vae.dispose();
}

if (!args['no-browser']) {
  // The headline: the app as a person runs it, panels on and off, against PyTorch measured alone (bench/app-run.ts).
  const appArgs = ['--backend', 'wasm', '--long-minutes', args['long-minutes'] ?? (args.quick ? '0' : '10'), ...(args.quick ? ['--quick'] : [])];
  await runAppBenchmarks(appRunOptionsFromArgs(appArgs, emit));
  await runBrowserBenchmarks({ steps, quick: args.quick, emit, torch, nodeExamplesPerS: fast });
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

