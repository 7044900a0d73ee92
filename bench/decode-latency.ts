/**
 * Drag-decode latency while training (issue 12.3), in the real app's production build in Debian's
 * Chromium: a drag across the latent plot while the model trains, timed from each pointer event's
 * timestamp to the decoded pixels being drawn (the app's own `window.__vaePerf.decodeLatency`, written
 * by the decoded-digit panel). A point replaced by a newer one before it was decoded is never drawn
 * and so not counted; `decodes` says how many of the pointer moves were.
 *
 * Families: the bundled MLP and `?conditional=1` (decoded in plain JavaScript on the main thread),
 * `?arch=conv` (decoded by the decoder worker's copy, src/worker/decoder.worker.ts). JSON lines:
 *   {bench:'drag_decode', arch, conditional, decoder, backend, p50_ms, p95_ms, samples, ...}
 * and, for conv, the same run's reference (decoded in the training worker: the decoder worker's script
 * refused) and the ratio of the two ({bench:'drag_decode_ratio', p50, p95}).
 * Alone: `npx tsx bench/decode-latency.ts [--quick] [--prebuilt] [--cases mlp,conv,conditional]`
 * (builds the app into E2E_OUT_DIR, or measures the build there with --prebuilt).
 */
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { canvasPixels, latentFrame, looksLikeDigits, openApp, pauseTraining, readStatus, startTraining, waitForStep } from '../tests/e2e/support/app';
import { launchChromium, openPage } from '../tests/e2e/support/browser';
import { buildApp, outDirFromEnv, startPreview } from '../tests/e2e/support/servers';

type Emit = (record: object) => void;

/** One model family to drag through. */
export interface DragDecodeCase {
  arch: 'mlp' | 'conv';
  conditional: boolean;
  /** The address's query. */
  query: string;
  /** In words, for the JSON line. */
  model: string;
  /** Training steps before the drag starts. */
  warmupSteps: number;
  /**
   * The reference of the same run: the decoder worker's script is refused, so the page decodes in the
   * training worker (behind its steps and manifold), as before the decoder worker.
   */
  withoutDecoderWorker?: boolean;
}

/** The cases `runDragDecodeBenchmarks` measures by default. */
export const DRAG_DECODE_CASES: Record<'mlp' | 'conv' | 'conditional', DragDecodeCase> = {
  mlp: { arch: 'mlp', conditional: false, query: '', model: 'the bundled model (784-512-256-2)', warmupSteps: 20 },
  // A conv step is costly on two CPU cores: a small batch, as the browser tests train it.
  conv: { arch: 'conv', conditional: false, query: '?arch=conv&batch=16', model: 'fresh conv VAE (Keras example, 2-D), batch 16', warmupSteps: 10 },
  conditional: { arch: 'mlp', conditional: true, query: '?conditional=1', model: 'fresh conditional MLP (784-512-256-2 + 10 classes)', warmupSteps: 20 },
};

/** The same run's reference for conv: decoding in the training worker (the decoder worker's script refused). */
export const CONV_IN_TRAINING_WORKER: DragDecodeCase = { ...DRAG_DECODE_CASES.conv, withoutDecoderWorker: true };

/** What one drag measured. */
export interface DragDecodeResult {
  bench: 'drag_decode';
  arch: 'mlp' | 'conv';
  conditional: boolean;
  /** Who decoded the dragged points: 'main thread', 'decoder worker' or 'training worker'. */
  decoder: string;
  backend: string;
  p50_ms: number;
  p95_ms: number;
  samples: number;
}

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

type PerfWindow = { __vaePerf: { decodeLatency: number[]; decodeTime: number[] }; __e2eLongTasks?: { duration: number }[] };

/**
 * Opens the app at `baseUrl` + the case's query in `browser`, trains, and drags through the latent
 * plot (`moves` pointer moves about 16 ms apart) while it trains; emits and returns the latency.
 */
export async function measureDragDecode(browser: Browser, baseUrl: string, c: DragDecodeCase, opts: { moves: number; emit: Emit }): Promise<DragDecodeResult> {
  const session = await openPage(browser);
  try {
    const { page } = session;
    if (c.withoutDecoderWorker) await page.route(/decoder\.worker/, (route) => route.abort());
    await openApp(page, baseUrl, c.query);
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="latent-plot"]') as (HTMLElement & { data?: { x?: ArrayLike<number> }[] }) | null;
      return (el?.data ?? []).some((t) => (t.x?.length ?? 0) > 0);
    }, undefined, { timeout: 120_000 });
    const bundled = c.query === '' ? looksLikeDigits((await canvasPixels(page, 'manifold')).gray) : null;
    const before = await readStatus(page);
    await startTraining(page);
    await waitForStep(page, before.step + c.warmupSteps, 180_000);
    await page.waitForTimeout(2_000);
    await page.evaluate(() => {
      const w = window as unknown as PerfWindow;
      w.__vaePerf.decodeLatency.length = 0;
      w.__vaePerf.decodeTime.length = 0;
      if (w.__e2eLongTasks) w.__e2eLongTasks.length = 0;
    });
    for (const w of page.workers()) {
      if (/decoder\.worker/.test(w.url())) await w.evaluate(() => void ((globalThis as unknown as { __decoderCopy?: { decodeMs: number[] } }).__decoderCopy?.decodeMs.splice(0)));
    }
    const frame = await latentFrame(page);
    const cx = frame.left + frame.width / 2;
    const cy = frame.top + frame.height / 2;
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let i = 0; i <= opts.moves; i++) {
      const r = 0.15 + 0.2 * ((i % 60) / 60);
      await page.mouse.move(cx + Math.cos(i / 7) * frame.width * r, cy + Math.sin(i / 7) * frame.height * r);
      await page.waitForTimeout(16);
    }
    await page.mouse.up();
    await page.waitForTimeout(500); // the last point's pixels
    const measured = await page.evaluate(() => {
      const w = window as unknown as PerfWindow;
      return { latency: [...w.__vaePerf.decodeLatency], decode: [...w.__vaePerf.decodeTime], longTasks: (w.__e2eLongTasks ?? []).map((t) => Math.round(t.duration)) };
    });
    const status = await readStatus(page);
    await pauseTraining(page);
    // The decoder worker's own record (src/worker/decoder.worker.ts): its backend and each decode's compute time.
    const decoderWorker = page.workers().find((w) => /decoder\.worker/.test(w.url())) ?? null;
    const inWorker = decoderWorker ? await decoderWorker.evaluate(() => (globalThis as unknown as { __decoderCopy?: { backend: string; decodeMs: number[] } }).__decoderCopy ?? null) : null;
    const result: DragDecodeResult = {
      bench: 'drag_decode',
      arch: c.arch,
      conditional: c.conditional,
      decoder: inWorker ? 'decoder worker' : c.arch === 'mlp' ? 'main thread' : 'training worker',
      backend: status.backend,
      p50_ms: round(percentile(measured.latency, 0.5)),
      p95_ms: round(percentile(measured.latency, 0.95)),
      samples: measured.latency.length,
    };
    opts.emit({
      ...result,
      what: 'pointer event to decoded pixels drawn, while training (production build, Chromium)',
      model: c.model,
      ...(bundled === null ? {} : { bundled_model: bundled }),
      decoded_by: inWorker ? `decoder worker (tfjs ${inWorker.backend}, 1 thread)` : c.arch === 'mlp' ? 'main thread (plain JavaScript)' : 'training worker (the reference: decoder worker refused)',
      ...(inWorker ? { decoder_worker_compute_p50_ms: round(percentile(inWorker.decodeMs, 0.5)), decoder_worker_compute_p95_ms: round(percentile(inWorker.decodeMs, 0.95)) } : {}),
      pointer_moves: opts.moves + 1,
      max_ms: round(Math.max(...measured.latency)),
      request_to_pixels_p50_ms: round(percentile(measured.decode, 0.5)),
      request_to_pixels_p95_ms: round(percentile(measured.decode, 0.95)),
      training_examples_per_s: status.examplesPerSecond,
      long_tasks_ms: measured.longTasks,
      load_1min: round(loadavg()[0]),
    });
    return result;
  } finally {
    await session.close();
  }
}

/** Options of `runDragDecodeBenchmarks`. */
export interface DragDecodeOptions {
  emit: Emit;
  /** Fewer pointer moves. */
  quick?: boolean;
  /** Which cases (default: mlp, conv, conditional). */
  cases?: (keyof typeof DRAG_DECODE_CASES)[];
  /** A running app to measure (then nothing is built or served here). */
  baseUrl?: string;
  /** A running Chromium to use. */
  browser?: Browser;
  /** Measure the build already in E2E_OUT_DIR instead of building this tree. */
  prebuilt?: boolean;
  /** With conv, also the training-worker reference and the ratio (default true). */
  reference?: boolean;
}

/**
 * Measures drag-decode latency while training for each case: builds and serves the app unless
 * `baseUrl` is given; emits one `drag_decode` line per case and a `target` line (p95 under 16 ms).
 */
export async function runDragDecodeBenchmarks(opts: DragDecodeOptions): Promise<DragDecodeResult[]> {
  const moves = opts.quick ? 120 : 300;
  let server: Awaited<ReturnType<typeof startPreview>> | null = null;
  let baseUrl = opts.baseUrl;
  if (!baseUrl) {
    const outDir = outDirFromEnv();
    if (!opts.prebuilt) await buildApp(outDir);
    server = await startPreview(outDir);
    baseUrl = server.url;
  }
  const browser = opts.browser ?? (await launchChromium());
  const results: DragDecodeResult[] = [];
  try {
    for (const name of opts.cases ?? (['mlp', 'conv', 'conditional'] as const)) {
      const r = await measureDragDecode(browser, baseUrl, DRAG_DECODE_CASES[name], { moves, emit: opts.emit });
      results.push(r);
      opts.emit({ bench: 'target', what: `drag-decode p95 under 16 ms while training (${name})`, value_ms: r.p95_ms, met: r.p95_ms < 16 });
      if (name === 'conv' && opts.reference !== false) {
        // The same run's reference: the conv model decoded in the training worker, as before the decoder worker.
        const ref = await measureDragDecode(browser, baseUrl, CONV_IN_TRAINING_WORKER, { moves, emit: opts.emit });
        results.push(ref);
        opts.emit({ bench: 'drag_decode_ratio', what: 'conv: decoder worker / training worker (same run), pointer event to pixels', p50: round(r.p50_ms / ref.p50_ms, 3), p95: round(r.p95_ms / ref.p95_ms, 3), decodes: round(r.samples / Math.max(1, ref.samples), 3) });
      }
    }
  } finally {
    if (!opts.browser) await browser.close();
    await server?.close();
  }
  return results;
}

// `npx tsx bench/decode-latency.ts`: this benchmark alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values: args } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, prebuilt: { type: 'boolean', default: false }, cases: { type: 'string', default: 'mlp,conv,conditional' } },
  });
  const names = args.cases.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(n in DRAG_DECODE_CASES));
  if (unknown.length > 0) throw new Error(`--cases takes ${Object.keys(DRAG_DECODE_CASES).join(', ')}, not ${unknown.join(', ')}`);
  const emit: Emit = (record) => console.log(JSON.stringify(record));
  emit({ bench: 'machine', cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, load_1min: round(loadavg()[0]) });
  await runDragDecodeBenchmarks({ emit, quick: args.quick, prebuilt: args.prebuilt, cases: names as (keyof typeof DRAG_DECODE_CASES)[] });
  process.exit(0);
}
