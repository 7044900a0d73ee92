/**
 * Browser benchmarks in Debian's headless Chromium (playwright-core), JSON lines:
 *  - training examples/s of the core Trainer on tfjs-wasm in a worker of a cross-origin-isolated
 *    page (bench/browser/), started the app's way (threads on, kernel helper thread), the same
 *    without the helper thread, and with 1 thread, with the slowest kernels and single-product GFLOP/s;
 *  - from the real app (production build): time from navigation to the first manifold drawn with
 *    the bundled model, and pointer-to-pixels decode latency (p50, p95) while training;
 *  - the production bundle, gzipped, per chunk; the training worker's script alone, and its start:
 *    from `new Worker` to the worker's first posted event, cold (fresh browser context) and warm.
 * Run by `npm run bench` after the Node part (ratios against the PyTorch number of that run), or
 * alone with `npm run bench:browser [-- --steps 300 --quick]` (then it measures PyTorch itself);
 * `npm run bench:browser -- --only start` builds the app and measures its bundle and the worker's start alone.
 */
import { readdir, readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage } from '../tests/e2e/support/browser';
import { ISOLATION_HEADERS } from '../scripts/lib/security-headers';
import { buildApp, buildBenchPage, outDirFromEnv, startPreview } from '../tests/e2e/support/servers';
import type { BenchRequest, BenchResult } from './browser/protocol';
import { runDragDecodeBenchmarks } from './decode-latency';
import { runBackendRows } from './page-backends';
import { runTorch, torchMatmulGflops, type TorchThroughput } from './torch';

type Emit = (record: object) => void;

/** Options of `runBrowserBenchmarks`. */
export interface BrowserBenchOptions {
  /** Timed training steps per run. */
  steps: number;
  /** Fewer repetitions. */
  quick: boolean;
  emit: Emit;
  /** The PyTorch reference measured in this run, for the ratios. */
  torch: TorchThroughput | null;
  /** tfjs-wasm in Node, examples/s, measured in this run. */
  nodeExamplesPerS?: number;
  /** Only the bundle and the worker's start (no bench page, training or app benchmarks). */
  startOnly?: boolean;
  /** Measure the build already in the output folder (e.g. of another commit) instead of building this tree. */
  prebuilt?: boolean;
}

/** The 1-minute load average: other processes on the machine make browser numbers noisy. */
const load = () => round(loadavg()[0], 2);

const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** Gzipped size of every file of the build's assets/ folder. */
async function bundleSizes(outDir: string, emit: Emit): Promise<void> {
  const dir = join(outDir, 'assets');
  const names = (await readdir(dir)).sort();
  let js = 0;
  let jsGz = 0;
  for (const name of names) {
    const bytes = await readFile(join(dir, name));
    const gz = gzipSync(bytes, { level: 9 }).length;
    emit({ bench: 'bundle', chunk: `assets/${name}`, bytes: bytes.length, gzip_bytes: gz });
    if (name.endsWith('.js')) {
      js += bytes.length;
      jsGz += gz;
    }
  }
  emit({ bench: 'bundle_total', what: 'all JavaScript chunks', bytes: js, gzip_bytes: jsGz });
}

/** The training worker's script in the build (assets/training.worker-<hash>.js). */
async function workerScript(outDir: string): Promise<string> {
  const name = (await readdir(join(outDir, 'assets'))).find((n) => /^training\.worker-[\w-]+\.js$/.test(n));
  if (!name) throw new Error(`no training worker script in ${outDir}/assets`);
  return `assets/${name}`;
}

/**
 * The training worker's start: its script gzipped, then, in a blank cross-origin-isolated page of
 * the app's origin, the time from `new Worker` to the worker's first posted event. The page posts
 * a request the worker answers at once (`cancel-load`, answered `done`) right after `new Worker`;
 * the answer comes once the script is downloaded, parsed and evaluated (tfjs and its kernels
 * registered), before any backend starts. Cold: a fresh browser context (empty cache) per run;
 * warm: a second worker in the same page.
 */
async function workerStartBenchmarks(browser: Browser, baseUrl: string, outDir: string, opts: { quick: boolean; emit: Emit }): Promise<void> {
  const { emit } = opts;
  const script = await workerScript(outDir);
  const bytes = await readFile(join(outDir, script));
  emit({ bench: 'worker_bundle', what: 'the training worker script (one file, not minified)', chunk: script, bytes: bytes.length, gzip_bytes: gzipSync(bytes, { level: 9 }).length });
  const blank = new URL('__bench-blank', baseUrl).href;
  const cold: number[] = [];
  const warm: number[] = [];
  const runs = opts.quick ? 3 : 7;
  for (let i = 0; i < runs; i++) {
    const session = await openPage(browser);
    try {
      await session.page.route(blank, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>blank</title>', headers: { ...ISOLATION_HEADERS } }));
      await session.page.goto(blank);
      const firstEvent = (url: string) =>
        session.page.evaluate(
          (u) =>
            new Promise<{ ms: number; type: string }>((resolve, reject) => {
              const t0 = performance.now();
              const worker = new Worker(u, { type: 'module', name: 'vae-training' });
              worker.onmessage = (e: MessageEvent<{ type: string }>) => {
                resolve({ ms: performance.now() - t0, type: e.data.type });
                worker.terminate();
              };
              worker.onerror = (e) => reject(new Error(`the worker failed: ${e.message}`));
              worker.postMessage({ type: 'cancel-load', id: 1 });
            }),
          url,
        );
      const url = new URL(script, baseUrl).href;
      const first = await firstEvent(url);
      const again = await firstEvent(url);
      cold.push(first.ms);
      warm.push(again.ms);
      emit({ bench: 'worker_first_message_run', run: i + 1, first_event: first.type, cold_ms: round(first.ms, 1), warm_ms: round(again.ms, 1), load_1min: load() });
    } finally {
      await session.close();
    }
  }
  for (const [cache, values] of [['cold', cold], ['warm', warm]] as const) {
    emit({ bench: 'worker_first_message', what: 'new Worker to the training worker\'s first posted event (production build, localhost)', cache, runs, p50_ms: round(percentile(values, 0.5), 1), min_ms: round(Math.min(...values), 1), max_ms: round(Math.max(...values), 1), load_1min: load() });
  }
}

/** One training benchmark in a fresh worker of the bench page. */
async function trainInPage(page: Page, req: BenchRequest): Promise<BenchResult> {
  return page.evaluate((r) => (window as unknown as { runBench(req: BenchRequest): Promise<BenchResult> }).runBench(r), req);
}

async function trainingBenchmarks(browser: Browser, baseUrl: string, opts: BrowserBenchOptions): Promise<void> {
  const { emit, steps, torch } = opts;
  const session = await openPage(browser);
  try {
    await session.page.goto(new URL('bench/', baseUrl).href);
    await session.page.waitForFunction(() => typeof (window as unknown as { runBench?: unknown }).runBench === 'function');
    const isolated = await session.page.evaluate(() => crossOriginIsolated);
    const base = { hidden: [400], latent: 20, batch: 128, steps, repeats: opts.quick ? 1 : 3, dataUrl: '/data/mnist/', topKernels: 8 };
    const runs: { name: string; req: BenchRequest }[] = [
      { name: 'threads as in the app', req: { ...base, mode: 'app', threads: 0, matmul: true } },
      { name: 'as in the app, no kernel helper thread', req: { ...base, mode: 'app', threads: 0, matmul: true, helper: false } },
      { name: '1 thread', req: { ...base, mode: 'explicit', threads: 1, matmul: true } },
      // What the accelerator buys: the app's start (threads as in the app) on the stock training ops, ?kernels=stock.
      { name: 'as in the app, ?kernels=stock', req: { ...base, mode: 'app', threads: 0, matmul: false, kernels: 'stock', steps: Math.min(steps, 100), repeats: 1 } },
    ];
    let appRate = NaN;
    for (const { name, req } of runs) {
      const r = await trainInPage(session.page, req);
      if (req.mode === 'app' && req.kernels !== 'stock') appRate = r.examplesPerS;
      emit({
        bench: 'train_throughput',
        impl: 'tfjs-wasm',
        where: 'chromium',
        config: name,
        kernels: req.kernels ?? 'accelerated',
        backend: r.label || `wasm (${r.threads} thread${r.threads === 1 ? '' : 's'}${r.simd ? ', SIMD' : ''})`,
        threads: r.threads,
        kernel_helper_jobs_per_step: round(r.helperJobsPerStep, 1),
        cross_origin_isolated: isolated && r.crossOriginIsolated,
        model: '784-400-20',
        batch: 128,
        steps: r.steps,
        examples_per_s: Math.round(r.examplesPerS),
        best_examples_per_s: Math.round(r.bestExamplesPerS),
        blocks: r.blocks,
        ms_per_step: round(r.msPerStep, 2),
        load_1min: load(),
      });
      emit({
        bench: 'wasm_step_profile',
        threads: r.threads,
        config: name,
        model: '784-400-20',
        batch: 128,
        kernels_per_step: Math.round(r.kernelsPerStep),
        kernel_ms_per_step: round(r.kernelMsPerStep, 2),
        by_kind_ms: Object.fromEntries(Object.entries(r.kinds).map(([k, v]) => [k, v.ms])),
        by_kind_kernels: Object.fromEntries(Object.entries(r.kinds).map(([k, v]) => [k, v.kernels])),
      });
      for (const k of r.kernels) emit({ bench: 'wasm_kernel', threads: r.threads, config: name, kernel: k.kernel, shapes: k.shapes, calls_per_step: k.calls, ms_per_step: k.ms_per_step });
      for (const m of r.matmuls) emit({ bench: 'wasm_matmul', threads: r.threads, config: name, what: m.what, ms: m.ms, gflops: m.gflops });
      if (torch) emit({ bench: 'ratio', what: `tfjs-wasm chromium (${name}) / pytorch cpu`, value: round(r.examplesPerS / torch.examples_per_s) });
      if (opts.nodeExamplesPerS) emit({ bench: 'ratio', what: `tfjs-wasm chromium (${name}) / tfjs-wasm node`, value: round(r.examplesPerS / opts.nodeExamplesPerS) });
    }
    for (const openblasThreads of [undefined, 1]) {
      const gflops = torchMatmulGflops([400, 784], [784, 128], openblasThreads);
      if (gflops !== null) emit({ bench: 'torch_matmul', openblas_threads: openblasThreads ?? 'default (all cores)', what: '[400x784]·[784x128]', gflops });
    }
    // The machine's speed drifts by ±20% over minutes, for both programs: the target is judged on
    // paired rounds, PyTorch then the browser back to back, and the median of their ratios.
    const paired = torch ? await pairedRounds(opts.quick ? 3 : 5, (req) => trainInPage(session.page, req), { ...base, mode: 'app', threads: 0, matmul: false, repeats: 1, topKernels: 0 }, emit) : null;
    if (paired !== null) emit({ bench: 'target', what: 'browser wasm training >= 0.5 x pytorch cpu (median of paired rounds)', value: paired, met: paired >= 0.5 });
    else if (torch) emit({ bench: 'target', what: 'browser wasm training >= 0.5 x pytorch cpu', value: round(appRate / torch.examples_per_s), met: appRate / torch.examples_per_s >= 0.5 });
    const unexpected = session.unexpectedErrors([/favicon\.ico/, /status of 404/]);
    if (unexpected.length > 0) emit({ bench: 'warning', where: 'bench page', errors: unexpected.slice(0, 5) });
  } finally {
    await session.close();
  }
}

/**
 * `rounds` times: the PyTorch reference, then the app's wasm training in Chromium, back to back;
 * emits each round's ratio and returns their median (null without PyTorch).
 */
async function pairedRounds(rounds: number, train: (req: BenchRequest) => Promise<BenchResult>, req: BenchRequest, emit: Emit): Promise<number | null> {
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const torch = runTorch({ hidden: req.hidden.join(','), latent: req.latent, batch: req.batch, steps: Math.max(req.steps, 100) }, emit);
    if (!torch) return null;
    const browser = await train(req);
    const ratio = browser.examplesPerS / torch.examples_per_s;
    ratios.push(ratio);
    emit({ bench: 'paired_round', round: i + 1, pytorch_examples_per_s: torch.examples_per_s, chromium_wasm_examples_per_s: Math.round(browser.examplesPerS), ratio: round(ratio), load_1min: load() });
  }
  const median = percentile(ratios, 0.5);
  emit({ bench: 'ratio', what: 'tfjs-wasm chromium (threads as in the app) / pytorch cpu, median of paired rounds', value: round(median), min: round(Math.min(...ratios)), max: round(Math.max(...ratios)), rounds });
  return round(median);
}

/** Records when the manifold canvas is drawn, and when it first shows a full grid of digit-like images. */
function manifoldMarks(): void {
  const marks = { draws: [] as number[], first: null as number | null, firstDigits: null as number | null };
  (window as unknown as { __benchMarks: typeof marks }).__benchMarks = marks;
  const proto = CanvasRenderingContext2D.prototype as unknown as { putImageData(this: CanvasRenderingContext2D, ...args: unknown[]): void };
  const put = proto.putImageData;
  proto.putImageData = function (this: CanvasRenderingContext2D, ...args: unknown[]) {
    const result = put.apply(this, args);
    const canvas = this.canvas as HTMLCanvasElement;
    if (canvas?.dataset?.testid === 'manifold') {
      const t = performance.now();
      marks.draws.push(t);
      marks.first ??= t;
      if (marks.firstDigits === null && canvas.width > 0) {
        const { data } = this.getImageData(0, 0, canvas.width, canvas.height);
        let blank = 0;
        let paper = 0;
        let ink = 0;
        for (let i = 0; i < data.length; i += 4) {
          const v = (data[i] + data[i + 1] + data[i + 2]) / 3;
          if (data[i + 3] === 0) blank++;
          else if (v >= 230) paper++;
          else if (v <= 80) ink++;
        }
        const n = data.length / 4;
        if (blank === 0 && paper / n > 0.4 && ink / n > 0.02) marks.firstDigits = t;
      }
    }
    return result;
  };
}

async function appBenchmarks(browser: Browser, baseUrl: string, opts: BrowserBenchOptions): Promise<void> {
  const { emit, quick } = opts;
  // Time to the first manifold, cold: a fresh context (empty cache) per load.
  const loads = quick ? 2 : 5;
  const firsts: number[] = [];
  for (let i = 0; i < loads; i++) {
    const session = await openPage(browser);
    try {
      await session.page.addInitScript(manifoldMarks);
      // When each request of the page and its workers finished, from the navigation (Node's clock).
      const finished: { url: string; ms: number }[] = [];
      const navStart = Date.now();
      session.context.on('requestfinished', (r) => finished.push({ url: r.url(), ms: Date.now() - navStart }));
      await session.page.goto(baseUrl);
      await session.page.waitForFunction(() => (window as unknown as { __benchMarks: { firstDigits: number | null } }).__benchMarks.firstDigits !== null, undefined, { timeout: 60_000 });
      if (i === 0) {
        const name = (url: string) => new URL(url).pathname.replace(/-[\w-]{8}\.(js|wasm|css)$/, '.$1');
        emit({ bench: 'first_manifold_timeline', what: 'requests finished, ms after navigation (first load)', requests: Object.fromEntries(finished.filter((f) => !f.url.startsWith('data:')).map((f) => [name(f.url), f.ms])) });
      }
      const marks = await session.page.evaluate(() => {
        const m = (window as unknown as { __benchMarks: { first: number; firstDigits: number } }).__benchMarks;
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
        const perf = (window as unknown as { __vaePerf?: Record<string, unknown> }).__vaePerf;
        const appMark = perf && typeof perf.firstManifold === 'number' ? perf.firstManifold : null;
        // When the page's big downloads finished (the worker's own fetches are not in this timeline).
        const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        const mainJs = entries.find((r) => /\/assets\/boot-[^/]*\.js$/.test(r.name));
        const workerJs = entries.find((r) => /training\.worker-[^/]*\.js$/.test(r.name));
        const resources = { main_js: mainJs ? Math.round(mainJs.responseEnd) : null, worker_js: workerJs ? Math.round(workerJs.responseEnd) : null };
        return { first: m.first, firstDigits: m.firstDigits, domContentLoaded: nav?.domContentLoadedEventEnd ?? null, appMark, resources };
      });
      firsts.push(marks.firstDigits);
      emit({ bench: 'first_manifold_load', run: i + 1, cache: 'cold', first_draw_ms: Math.round(marks.first), first_bundled_manifold_ms: Math.round(marks.firstDigits), dom_content_loaded_ms: marks.domContentLoaded === null ? null : Math.round(marks.domContentLoaded), app_mark_ms: marks.appMark === null ? null : Math.round(marks.appMark), downloaded_ms: marks.resources, load_1min: load() });
    } finally {
      await session.close();
    }
  }
  const median = percentile(firsts, 0.5);
  emit({ bench: 'first_manifold', what: 'navigation to the first manifold of the bundled model (cold cache, localhost)', loads, p50_ms: Math.round(median), min_ms: Math.round(Math.min(...firsts)), max_ms: Math.round(Math.max(...firsts)) });
  emit({ bench: 'target', what: 'first manifold within 2 s on localhost', value_ms: Math.round(median), met: median < 2000 });

  // Drag-decode latency while training, pointer event to decoded pixels: the bundled MLP, a conv and a conditional model (bench/decode-latency.ts).
  await runDragDecodeBenchmarks({ emit, quick, baseUrl, browser });
}

/** Builds the app and the bench page, serves them, and runs every browser benchmark. */
export async function runBrowserBenchmarks(opts: BrowserBenchOptions): Promise<void> {
  const outDir = outDirFromEnv();
  if (!opts.prebuilt) await buildApp(outDir);
  await bundleSizes(outDir, opts.emit);
  if (!opts.startOnly) await buildBenchPage(outDir);
  const server = await startPreview(outDir);
  const browser = await launchChromium();
  try {
    opts.emit({ bench: 'browser', chromium: browser.version(), url: server.url, load_1min: load() });
    await workerStartBenchmarks(browser, server.url, outDir, opts);
    if (opts.startOnly) return;
    await trainingBenchmarks(browser, server.url, opts);
    await appBenchmarks(browser, server.url, opts);
  } finally {
    await browser.close();
  }
  try {
    // Kernels per step, ms per step and examples/s on wasm and webgl (SwiftShader here), MLP and conv (bench/page-backends.ts).
    await runBackendRows(server.url, opts.emit, { quick: opts.quick });
  } finally {
    await server.close();
  }
}

// `npm run bench:browser`: the browser part alone, with its own PyTorch measurement.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values: args } = parseArgs({
    options: { steps: { type: 'string', default: '300' }, quick: { type: 'boolean', default: false }, only: { type: 'string' }, prebuilt: { type: 'boolean', default: false } },
  });
  if (args.only !== undefined && args.only !== 'start') throw new Error(`--only takes "start" (the bundle and the worker's start), not "${args.only}"`);
  const steps = args.quick ? 50 : Number(args.steps);
  const emit: Emit = (record) => console.log(JSON.stringify(record));
  emit({ bench: 'machine', cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version });
  // --prebuilt: measure the build already in E2E_OUT_DIR (e.g. of another commit) instead of building this tree.
  if (args.only === 'start') {
    await runBrowserBenchmarks({ steps, quick: args.quick, emit, torch: null, startOnly: true, prebuilt: args.prebuilt });
    process.exit(0);
  }
  const torch = runTorch({ hidden: '400', latent: 20, batch: 128, steps: Math.max(steps, 100) }, emit);
  if (torch) emit({ bench: 'train_throughput', impl: 'pytorch', where: 'native', model: '784-400-20', batch: 128, threads: torch.threads, openblas_threads: 'default (all cores)', torch: torch.torch, examples_per_s: torch.examples_per_s });
  await runBrowserBenchmarks({ steps, quick: args.quick, emit, torch });
}
