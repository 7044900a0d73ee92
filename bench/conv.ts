/**
 * Training speed of the convolutional VAE (arch=conv, the Keras example's model) in Node on
 * tfjs-wasm: the project's Trainer on the accelerator's training ops and on the stock ops, at latent
 * 2 and 16, batch 128, and the PyTorch reference's `--arch conv` in the same run for the ratio.
 * One JSON line per figure. bench/run.ts calls `convNodeThroughput`; alone:
 *
 *   npx tsx bench/conv.ts [--steps 30] [--quick]
 */
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ImageDataset } from '../src/core/data/dataset';
import { makeConfig } from '../src/core/model/config';
import { Trainer } from '../src/core/train/trainer';
import { withKernels } from '../src/core/accelerator';
import type { KernelsChoice } from '../src/core/ops';
import { throughput } from './throughput';
import { runTorch } from './torch';

/** Options of `convNodeThroughput`. */
export interface ConvBenchOptions {
  /** The training set the Trainer draws batches from (MNIST's 60,000 28x28 digits). */
  train: ImageDataset;
  /** tfjs backend in use, for the rows' `impl` ('wasm' in the bench). */
  backend: string;
  /** Timed steps per figure, in two blocks of half (each after 10 untimed); a conv step of batch 128 on two busy CPU cores takes about a second. */
  steps: number;
  /** Latent sizes to measure (default 2 and 16). */
  latents?: number[];
  /** Batch size (default 128). */
  batch?: number;
  /** Also run the PyTorch reference's `--arch conv` (default true). */
  torch?: boolean;
}

/**
 * Emits `train_throughput` rows (examples/s, where 'node') of the conv VAE on the accelerated and the
 * stock training ops for each latent size, their ratio, and when PyTorch is installed its
 * `--arch conv` figure (default threads, as bench/run.ts's main PyTorch figure) and tfjs / PyTorch.
 * Returns the accelerated examples/s per model name ('conv-2', 'conv-16').
 */
export async function convNodeThroughput(emit: (record: object) => void, opts: ConvBenchOptions): Promise<Record<string, number>> {
  const batch = opts.batch ?? 128;
  const out: Record<string, number> = {};
  for (const latent of opts.latents ?? [2, 16]) {
    const model = `conv-${latent}`;
    const config = makeConfig({ family: 'conv', latentDim: latent, batchSize: batch });
    // Blocks in the order accelerated, stock, stock, accelerated (each half the steps), so that load
    // drifting on a shared machine falls on both alike; a rate is the examples over the seconds of its two blocks.
    const seconds: Record<KernelsChoice, number> = { accelerated: 0, stock: 0 };
    const half = Math.ceil(opts.steps / 2);
    for (const kernels of ['accelerated', 'stock', 'stock', 'accelerated'] as const) {
      const rate = await withKernels(kernels, () => throughput(config, (vae, train) => new Trainer(vae, train), opts.train, half));
      seconds[kernels] += (half * batch) / rate;
    }
    const rates = { accelerated: (2 * half * batch) / seconds.accelerated, stock: (2 * half * batch) / seconds.stock };
    for (const kernels of ['accelerated', 'stock'] as const) {
      const impl = `tfjs-${opts.backend}${kernels === 'stock' ? '-stock-ops' : ''}`;
      emit({ bench: 'train_throughput', model, impl, kernels, where: 'node', batch, steps: 2 * half, examples_per_s: Math.round(rates[kernels]) });
    }
    out[model] = rates.accelerated;
    emit({ bench: 'ratio', model, what: 'conv: accelerated / stock training ops (same process)', value: round(rates.accelerated / rates.stock) });
    if (opts.torch === false) continue;
    const torch = runTorch({ arch: 'conv', latent, batch, steps: Math.max(opts.steps, 30) }, emit);
    if (torch) {
      emit({ bench: 'train_throughput', model, impl: 'pytorch', where: 'native', batch, threads: torch.threads, openblas_threads: 'default (all cores)', torch: torch.torch, examples_per_s: torch.examples_per_s });
      emit({ bench: 'ratio', model, what: `conv: tfjs-${opts.backend} node / pytorch cpu`, value: round(rates.accelerated / torch.examples_per_s) });
    }
  }
  return out;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

// Run alone: npx tsx bench/conv.ts
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values: args } = parseArgs({ options: { steps: { type: 'string', default: '30' }, quick: { type: 'boolean', default: false } } });
  const steps = args.quick ? 10 : Number(args.steps);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps must be a whole number of at least 1, not "${args.steps}".`);
  const { initNodeBackend, tf } = await import('../scripts/lib/tf-node');
  const { loadDatasetFromDir } = await import('../scripts/lib/load-dataset-node');
  const backend = await initNodeBackend('wasm');
  const data = await loadDatasetFromDir();
  const emit = (record: object) => console.log(JSON.stringify(record));
  emit({ bench: 'machine', cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, tfjs: tf.version_core });
  await convNodeThroughput(emit, { train: data.train, backend, steps });
}
