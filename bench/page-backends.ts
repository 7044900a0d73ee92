/**
 * Training throughput of the core Trainer on each tfjs backend in Chromium: the bench page
 * (bench/browser/) trains in a fresh worker per row, with the backend started as the app's forced
 * `?backend=` starts it, and reports kernels per training step (tf.profile), ms per step and
 * examples/s, as JSON lines:
 *   {bench: 'train_throughput', where: 'chromium', backend, arch, model, kernels_per_step, ms_per_step, examples_per_s, load_1min, ...}
 * Rows: the default model (784-512-256-2, batch 128) on wasm and webgl, 784-400-20 on webgl, and the
 * conv family at latent 2 and 16 on wasm and webgl; with `webgpu` among the backends and a hardware
 * adapter, the same rows on webgpu. Here (no GPU) webgl is SwiftShader, WebGL on the CPU, and runs few steps.
 *
 * Alone: `npx tsx bench/page-backends.ts [--quick] [--hardware] [--backends wasm,webgl,webgpu]`
 * builds the bench page, serves it and prints the lines; the first names the GPU. Chromium gets
 * SwiftShader's WebGL flags unless $VAE_CHROME_ARGS gives GPU flags (tests/e2e/support/browser.ts);
 * `--hardware` (bench/gpu.sh, which sets them) adds webgpu to the backends.
 */
import { cp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, SOFTWARE_WEBGL_ARGS } from '../tests/e2e/support/browser';
import { buildBenchPage, repoRoot, startPreview } from '../tests/e2e/support/servers';
import type { BenchBackend, BenchRequest, BenchResult, GpuInfo } from './browser/protocol';

type Emit = (record: object) => void;

/** Options of `backendRows`. */
export interface BackendRowsOptions {
  /** Fewer steps and one timed block per row. */
  quick?: boolean;
  /** The backends to measure (default wasm and webgl). */
  backends?: BenchBackend[];
}

/** A software renderer's or adapter's name (as src/worker/backend.ts `isSoftwareRenderer`, which Node cannot import). */
const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/** One row: a model on a backend. */
interface Row {
  backend: BenchBackend;
  arch: 'mlp' | 'conv';
  hidden: number[];
  latent: number;
  /** Timed steps per block, warm-up steps, profiled steps. */
  steps: number;
  warmup: number;
  profileSteps: number;
}

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** The 1-minute load average: other processes on the machine slow the browser. */
const load = () => round(loadavg()[0], 2);

const modelName = (r: Pick<Row, 'arch' | 'hidden' | 'latent'>) => (r.arch === 'conv' ? `conv latent ${r.latent}` : `784-${r.hidden.join('-')}-${r.latent}`);

/**
 * The rows for `backends`. Steps per row: on wasm and on a hardware GPU enough for a second or more
 * of training; on SwiftShader (seconds per conv step) only a few, so the whole run stays in minutes.
 */
function rowsFor(backends: BenchBackend[], quick: boolean, gpu: { webgl: boolean; webgpu: boolean }): Row[] {
  const hardware = (b: BenchBackend) => b !== 'wasm' && gpu[b];
  const fast = (b: BenchBackend) => b === 'wasm' || hardware(b);
  const models = (b: BenchBackend) => [
    { arch: 'mlp' as const, hidden: [512, 256], latent: 2 },
    ...(b !== 'wasm' ? [{ arch: 'mlp' as const, hidden: [400], latent: 20 }] : []),
    { arch: 'conv' as const, hidden: [512, 256], latent: 2 },
    ...(quick ? [] : [{ arch: 'conv' as const, hidden: [512, 256], latent: 16 }]),
  ];
  const rows: Row[] = [];
  for (const backend of backends) {
    for (const m of models(backend)) {
      const conv = m.arch === 'conv';
      // Here (2 busy cores) a wasm step of the default model takes 50-200 ms, a conv step 1-4 s, a
      // SwiftShader step of an MLP 0.7-2 s. One warm-up step compiles every shader a step needs.
      let steps: number;
      if (fast(backend) && !conv) steps = quick ? 20 : 60;
      else if (fast(backend)) steps = quick ? 2 : 5;
      else steps = conv ? (quick ? 1 : 2) : quick ? 3 : 6;
      if (hardware(backend)) steps *= 5;
      rows.push({ backend, ...m, steps, warmup: fast(backend) && !conv ? 5 : 1, profileSteps: fast(backend) && !conv ? 2 : 1 });
    }
  }
  return rows;
}

/** One training run in a fresh worker of the bench page. */
function trainOnPage(page: Page, req: BenchRequest): Promise<BenchResult> {
  return page.evaluate((r) => (window as unknown as { runBench(req: BenchRequest): Promise<BenchResult> }).runBench(r), req);
}

/** What the bench page's main thread sees of the GPU: WebGL's renderer and the WebGPU adapter. */
function readGpuInfo(page: Page): Promise<GpuInfo> {
  return page.evaluate(() => (window as unknown as { gpuInfo(): Promise<GpuInfo> }).gpuInfo());
}

/**
 * Trains each backend's rows on the bench page served at `baseUrl` (the page at `bench/`, MNIST at
 * `data/mnist/`) and emits one `train_throughput` line per row, after a `gpu` line naming the GPU.
 * A row that fails (a backend the browser lacks) emits `{bench: 'train_throughput', ..., error}`.
 */
export async function backendRows(browser: Browser, baseUrl: string, emit: Emit, opts: BackendRowsOptions = {}): Promise<void> {
  const quick = opts.quick ?? false;
  const backends = opts.backends ?? ['wasm', 'webgl'];
  const session = await openPage(browser);
  try {
    await session.page.goto(new URL('bench/', baseUrl).href);
    await session.page.waitForFunction(() => typeof (window as unknown as { runBench?: unknown }).runBench === 'function');
    const gpu = await readGpuInfo(session.page);
    const adapter = gpu.webgpuAdapter ? Object.values(gpu.webgpuAdapter).join(' ') : null;
    const real = { webgl: gpu.webglRenderer !== null && !SOFTWARE.test(gpu.webglRenderer), webgpu: adapter !== null && !SOFTWARE.test(adapter) };
    emit({ bench: 'gpu', where: 'chromium', chromium: browser.version(), webgl_renderer: gpu.webglRenderer, webgl_vendor: gpu.webglVendor, webgpu_adapter: gpu.webgpuAdapter, hardware_webgl: real.webgl, hardware_webgpu: real.webgpu });
    // WebGPU on SwiftShader trains at seconds per step of the default model and says nothing of a GPU: one line instead of its rows.
    const measured = backends.filter((b) => b !== 'webgpu' || real.webgpu);
    if (measured.length < backends.length) emit({ bench: 'train_throughput', where: 'chromium', backend: 'webgpu', skipped: gpu.webgpuAdapter ? `a software adapter (${adapter})` : 'no WebGPU adapter' });
    for (const row of rowsFor(measured, quick, real)) {
      const line = { bench: 'train_throughput', where: 'chromium', backend: row.backend, arch: row.arch, model: modelName(row), batch: 128 };
      const req: BenchRequest = {
        mode: 'app',
        backend: row.backend,
        arch: row.arch,
        threads: 0,
        hidden: row.hidden,
        latent: row.latent,
        batch: 128,
        steps: row.steps,
        repeats: 1,
        warmup: row.warmup,
        profileSteps: row.profileSteps,
        dataUrl: '/data/mnist/',
        topKernels: 3,
        matmul: false,
      };
      const started = performance.now();
      let r: BenchResult;
      try {
        r = await trainOnPage(session.page, req);
      } catch (err) {
        emit({ ...line, error: (err instanceof Error ? err.message : String(err)).split('\n')[0], load_1min: load() });
        continue;
      }
      emit({
        ...line,
        label: r.label,
        renderer: r.renderer,
        kernels_per_step: Math.round(r.kernelsPerStep),
        // The kernels' summed time under tf.profile: on wasm their own time; on webgl without GPU
        // timer queries (SwiftShader) each kernel's wall time, waited for one by one, so above ms_per_step.
        kernel_ms_per_step: round(r.kernelMsPerStep),
        slowest_kernels: r.kernels.map((k) => `${k.kernel} ${k.shapes}: ${k.ms_per_step} ms x${k.calls}`),
        ms_per_step: round(r.msPerStep),
        examples_per_s: Math.round(r.examplesPerS),
        steps: r.steps,
        profiled_steps: row.profileSteps,
        // The row's whole run: the worker's start, MNIST, the backend, warm-up (shader compiles), timed and profiled steps.
        wall_s: round((performance.now() - started) / 1000, 1),
        load_1min: load(),
      });
    }
    const unexpected = session.unexpectedErrors([/favicon\.ico/, /status of 404/]);
    if (unexpected.length > 0) emit({ bench: 'warning', where: 'bench page (backends)', errors: unexpected.slice(0, 5) });
  } finally {
    await session.close();
  }
}

/**
 * `backendRows` in a Chromium of its own, closed afterwards: with SwiftShader's WebGL flags, or,
 * when $VAE_CHROME_ARGS is set (bench/gpu.sh), with those GPU flags alone. `baseUrl` serves the
 * bench page at `bench/` and MNIST at `data/mnist/` (as bench/browser.ts's `vite preview` of dist/ does).
 */
export async function runBackendRows(baseUrl: string, emit: Emit, opts: BackendRowsOptions = {}): Promise<void> {
  const browser = await launchChromium(process.env.VAE_CHROME_ARGS ? [] : SOFTWARE_WEBGL_ARGS);
  try {
    await backendRows(browser, baseUrl, emit, opts);
  } finally {
    await browser.close();
  }
}

// `npx tsx bench/page-backends.ts`: builds the bench page beside a copy of MNIST, serves it, prints the rows.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values: args } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, hardware: { type: 'boolean', default: false }, backends: { type: 'string' } },
  });
  const backends = (args.backends ?? (args.hardware ? 'wasm,webgl,webgpu' : 'wasm,webgl')).split(',') as BenchBackend[];
  const bad = backends.filter((b) => !['wasm', 'webgl', 'webgpu'].includes(b));
  if (bad.length > 0) throw new Error(`--backends takes wasm, webgl and webgpu, not "${bad.join(', ')}"`);
  const emit: Emit = (record) => console.log(JSON.stringify(record));
  // Its own folder (not dist/, which other benchmarks and tests build into): the page, and MNIST beside it.
  const outDir = process.env.E2E_OUT_DIR ?? join(tmpdir(), 'vae-page-backends');
  const data = join(repoRoot, 'public', 'data', 'mnist');
  if (!existsSync(join(data, 'train-images-idx3-ubyte.gz'))) throw new Error(`MNIST is not in ${data}: run npm run prepare-data first.`);
  const started = performance.now();
  await buildBenchPage(outDir);
  // On stderr: stdout holds the JSON lines alone, the GPU's first (bench/gpu.sh).
  console.error(`page-backends: bench page built into ${outDir} in ${round((performance.now() - started) / 1000, 1)} s (load ${load()})`);
  await cp(data, join(outDir, 'data', 'mnist'), { recursive: true });
  if (args.hardware && !process.env.VAE_CHROME_ARGS) console.error('page-backends: --hardware without $VAE_CHROME_ARGS: Chromium keeps --disable-gpu (see bench/gpu.sh)');
  const server = await startPreview(outDir);
  try {
    await runBackendRows(server.url, emit, { quick: args.quick, backends });
  } finally {
    await server.close();
  }
}
