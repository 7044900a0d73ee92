/**
 * The app as a person runs it (issue 16's headline), JSON lines:
 *  - the production build (`vite build` + `vite preview`, cross-origin isolated) in Debian's headless
 *    Chromium, `?backend=wasm` (or --backend), Train pressed as a person would, every panel live;
 *  - its training rate: the worker's own step count, read from the status line (`step N`), over
 *    blocks of --seconds (default 20) after a --warmup (default 10 s) of training;
 *  - in the same page and the same worker, blocks alternate between the panels live and the
 *    "Live panels" switch off (ABBA order, so a drift in the machine's load cancels out), giving the
 *    panels-on / panels-off ratio;
 *  - for 784-400-20 at batch 128 and for the app's default model (784-512-256-2);
 *  - PyTorch (the reference script, Debian's OpenBLAS on all cores: its default) measured with no
 *    browser running, before the browser starts and after it closes; the figure is their mean;
 *  - where the worker's time went (its own split: training steps, loss read-back, displays, quiet
 *    pauses for the page's redraws, the rest).
 * With --long-minutes N: N minutes of training of the default model with the panels live, the rate of
 * each minute, and the tab's memory (performance.measureUserAgentSpecificMemory: page and workers),
 * JS heap and DOM size at the start and the end.
 *
 *   npx tsx bench/app-run.ts [--quick] [--seconds 20] [--warmup 10] [--rounds 2] [--backend wasm|webgl] [--long-minutes 10] [--prebuilt] [--no-torch]
 *
 * Run by `npm run bench` (bench/run.ts) after the Node part; --prebuilt measures the build already
 * in $E2E_OUT_DIR (e.g. of another commit).
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { openApp, readStatus, startTraining } from '../tests/e2e/support/app';
import { launchChromium, openPage, SOFTWARE_WEBGL_ARGS } from '../tests/e2e/support/browser';
import { buildApp, outDirFromEnv, startPreview } from '../tests/e2e/support/servers';
import { runTorch, type TorchThroughput } from './torch';

type Emit = (record: object) => void;

/** A model as the app's address sets it. */
interface AppModel {
  name: string;
  query: string;
  batch: number;
}

/** The two models of the headline: the reference script's size and the app's default. */
export const APP_MODELS: AppModel[] = [
  { name: '784-400-20', query: 'hidden=400&latent=20&batch=128', batch: 128 },
  { name: '784-512-256-2 (default)', query: '', batch: 128 },
];

/** Options of `runAppBenchmarks`. */
export interface AppRunOptions {
  emit: Emit;
  /** Seconds per timed block (at least 20 for the headline). */
  seconds: number;
  /** Seconds of training before the first block. */
  warmup: number;
  /** ABBA rounds (each: on, off, off, on); 0 in --quick (one on, one off block). */
  rounds: number;
  backend: 'wasm' | 'webgl' | 'webgpu' | 'auto';
  /** Minutes of the long run (0: none). */
  longMinutes: number;
  /** Measure the build already in the output folder. */
  prebuilt: boolean;
  /** Measure PyTorch before and after (false: no reference, no ratio). */
  torch: boolean;
  /** Extra Chromium flags (bench/gpu.sh passes a real GPU's). */
  chromiumArgs?: string[];
}

const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;
const load = () => round(loadavg()[0], 2);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** Training steps per second of the open page over `seconds`, from the status line's step count. */
async function stepsPerSecond(page: Page, seconds: number): Promise<{ rate: number; shownRates: number[] }> {
  const first = await readStatus(page);
  const t0 = Date.now();
  const shownRates: number[] = [];
  while (Date.now() - t0 < seconds * 1000) {
    await sleep(1000);
    shownRates.push((await readStatus(page)).examplesPerSecond);
  }
  const last = await readStatus(page);
  const dt = (Date.now() - t0) / 1000;
  return { rate: (last.step - first.step) / dt, shownRates };
}

/** Seconds the page's main thread has been busy (Chromium's TaskDuration, over CDP). */
async function mainThreadBusySeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN;
}

/** Chart redraws (Plotly.react, from the app's own log) that started after page time `since`: count and ms per chart. */
async function redrawsSince(page: Page, since: number): Promise<Record<string, { count: number; ms: number }>> {
  return page.evaluate((t0) => {
    const perf = (window as unknown as { __vaePerf?: { plotTimes: Record<string, number[]>; plotStarts: Record<string, number[]> } }).__vaePerf;
    const out: Record<string, { count: number; ms: number }> = {};
    for (const [chart, starts] of Object.entries(perf?.plotStarts ?? {})) {
      const times = perf!.plotTimes[chart] ?? [];
      let count = 0;
      let ms = 0;
      starts.forEach((start, i) => {
        if (start >= t0) {
          count++;
          ms += times[i] ?? 0;
        }
      });
      if (count > 0) out[chart] = { count, ms: Math.round(ms) };
    }
    return out;
  }, since);
}

/** Turns the "Live panels" switch to `live` and waits until the worker's status says so. */
async function setLivePanels(page: Page, live: boolean): Promise<void> {
  const box = page.getByTestId('live-panels');
  if ((await box.isChecked()) !== live) await box.click();
  await sleep(2000); // the switch reaches the worker, and work begun under the other setting drains
}

/** The worker's time split (shares of its wall time since the switch last changed). */
async function workerTimeShares(page: Page): Promise<Record<string, number> | null> {
  return page.evaluate(() => (window as unknown as { __vaePerf?: { workerTimeShares: Record<string, number> | null } }).__vaePerf?.workerTimeShares ?? null);
}

/** Panels on and off in one page and one worker, ABBA; returns examples/s of each. */
async function onOffRates(browser: Browser, baseUrl: string, model: AppModel, opts: AppRunOptions): Promise<{ on: number; off: number }> {
  const { emit } = opts;
  const session = await openPage(browser, { viewport: { width: 1440, height: 900 } });
  try {
    const backend = opts.backend === 'auto' ? '' : `backend=${opts.backend}`;
    await openApp(session.page, baseUrl, `?${[backend, model.query].filter(Boolean).join('&')}`);
    const cdp = await session.context.newCDPSession(session.page);
    await cdp.send('Performance.enable');
    await startTraining(session.page);
    await sleep(opts.warmup * 1000);
    const order = Array.from({ length: opts.rounds }, () => [true, false, false, true]).flat();
    if (opts.rounds === 0) order.push(true, false);
    const rates: { on: number[]; off: number[] } = { on: [], off: [] };
    for (const [i, live] of order.entries()) {
      await setLivePanels(session.page, live);
      const busy0 = await mainThreadBusySeconds(cdp);
      const pageT0 = await session.page.evaluate(() => performance.now());
      const t0 = Date.now();
      const { rate, shownRates } = await stepsPerSecond(session.page, opts.seconds);
      const mainThreadBusy = (await mainThreadBusySeconds(cdp)) - busy0;
      const wall = (Date.now() - t0) / 1000;
      const examples = rate * model.batch;
      (live ? rates.on : rates.off).push(examples);
      emit({
        bench: 'app_block',
        model: model.name,
        block: i + 1,
        panels: live ? 'on' : 'off',
        seconds: opts.seconds,
        examples_per_s: Math.round(examples),
        status_line_examples_per_s_median: Math.round(shownRates.sort((a, b) => a - b)[Math.floor(shownRates.length / 2)] ?? 0),
        worker_time: await workerTimeShares(session.page),
        page_main_thread_busy: round(mainThreadBusy / wall), // share of wall time, Chromium's TaskDuration
        page_redraws: await redrawsSince(session.page, pageT0),
        load_1min: load(),
      });
    }
    const errors = session.unexpectedErrors();
    if (errors.length > 0) emit({ bench: 'warning', where: 'app', model: model.name, errors: errors.slice(0, 5) });
    return { on: mean(rates.on), off: mean(rates.off) };
  } finally {
    await session.close();
  }
}

/** Memory of the tab (page and its workers, bytes), its main-thread JS heap and its DOM size. */
async function tabMemory(page: Page): Promise<{ tab_bytes: number | null; js_heap_bytes: number | null; dom_nodes: number }> {
  return page.evaluate(async () => {
    const p = performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }>; memory?: { usedJSHeapSize: number } };
    let tab: number | null = null;
    if (p.measureUserAgentSpecificMemory && crossOriginIsolated) {
      const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 60_000));
      tab = (await Promise.race([p.measureUserAgentSpecificMemory().then((m) => m.bytes), timeout])) ?? null;
    }
    return { tab_bytes: tab, js_heap_bytes: p.memory?.usedJSHeapSize ?? null, dom_nodes: document.getElementsByTagName('*').length };
  });
}

/** N minutes of training with the panels live: the rate of each minute and the memory at the start and the end. */
async function longRun(browser: Browser, baseUrl: string, opts: AppRunOptions): Promise<void> {
  const { emit } = opts;
  const model = APP_MODELS[1];
  const session = await openPage(browser, { viewport: { width: 1440, height: 900 } });
  try {
    const backend = opts.backend === 'auto' ? '' : `?backend=${opts.backend}`;
    await openApp(session.page, baseUrl, backend);
    await startTraining(session.page);
    await sleep(opts.warmup * 1000);
    emit({ bench: 'app_long_memory', model: model.name, at: 'start', ...(await tabMemory(session.page)), load_1min: load() });
    const perMinute: number[] = [];
    for (let minute = 1; minute <= opts.longMinutes; minute++) {
      const { rate } = await stepsPerSecond(session.page, 60);
      perMinute.push(rate * model.batch);
      emit({ bench: 'app_long_minute', model: model.name, minute, examples_per_s: Math.round(rate * model.batch), step: (await readStatus(session.page)).step, load_1min: load() });
    }
    emit({ bench: 'app_long_memory', model: model.name, at: 'end', ...(await tabMemory(session.page)), load_1min: load() });
    const head = mean(perMinute.slice(0, 2));
    const tail = mean(perMinute.slice(-2));
    emit({ bench: 'app_long_run', model: model.name, minutes: opts.longMinutes, first_two_minutes_examples_per_s: Math.round(head), last_two_minutes_examples_per_s: Math.round(tail), last_over_first: round(tail / head) });
  } finally {
    await session.close();
  }
}

/** PyTorch alone: the reference script at the same size, OpenBLAS on all cores (its default). */
function torchAlone(emit: Emit, when: 'before' | 'after'): TorchThroughput | null {
  const t = runTorch({ hidden: '400', latent: 20, batch: 128, steps: 300 }, emit);
  if (t) emit({ bench: 'pytorch_alone', when, model: '784-400-20', batch: 128, torch_threads: t.threads, openblas_threads: 'default (all cores)', cores: cpus().length, examples_per_s: t.examples_per_s, load_1min: load() });
  return t;
}

/** Everything above, in one run. */
export async function runAppBenchmarks(opts: AppRunOptions): Promise<void> {
  const { emit } = opts;
  const before = opts.torch ? torchAlone(emit, 'before') : null;
  const outDir = outDirFromEnv();
  if (!opts.prebuilt) await buildApp(outDir);
  const server = await startPreview(outDir);
  const rates = new Map<string, { on: number; off: number }>();
  try {
    // webgl without a GPU runs on SwiftShader; with $VAE_CHROME_ARGS (bench/gpu.sh) the launcher gives Chromium a real GPU's flags instead.
    const software = opts.backend === 'webgl' && !process.env.VAE_CHROME_ARGS;
    const browser = await launchChromium([...(software ? SOFTWARE_WEBGL_ARGS : []), ...(opts.chromiumArgs ?? [])]);
    try {
      emit({ bench: 'app_browser', chromium: browser.version(), backend: opts.backend, seconds_per_block: opts.seconds, warmup_s: opts.warmup, rounds: opts.rounds, load_1min: load() });
      for (const model of APP_MODELS) rates.set(model.name, await onOffRates(browser, server.url, model, opts));
      if (opts.longMinutes > 0) await longRun(browser, server.url, opts);
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
  }
  const after = opts.torch ? torchAlone(emit, 'after') : null;
  const torch = before && after ? (before.examples_per_s + after.examples_per_s) / 2 : (before ?? after)?.examples_per_s ?? null;
  for (const [name, r] of rates) {
    emit({ bench: 'app_as_run', model: name, backend: opts.backend, panels_on_examples_per_s: Math.round(r.on), panels_off_examples_per_s: Math.round(r.off), panels_on_over_off: round(r.on / r.off) });
    emit({ bench: 'target', what: `app panels on / panels off >= 0.9 (${name}, same worker)`, value: round(r.on / r.off), met: r.on / r.off >= 0.9 });
    if (torch) {
      emit({ bench: 'ratio', what: `app as run (${name}, ${opts.backend}, panels on) / pytorch alone (784-400-20, all cores, mean of before and after)`, value: round(r.on / torch), pytorch_examples_per_s: Math.round(torch) });
    }
  }
  const headline = rates.get(APP_MODELS[0].name);
  if (headline && torch) emit({ bench: 'target', what: 'app as run (784-400-20, panels on) >= 0.6 x pytorch alone', value: round(headline.on / torch), met: headline.on / torch >= 0.6 });
}

/** Options from the command line. */
export function appRunOptionsFromArgs(argv: string[], emit: Emit): AppRunOptions {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    options: {
      quick: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      'long-minutes': { type: 'string', default: '0' },
      prebuilt: { type: 'boolean', default: false },
      'no-torch': { type: 'boolean', default: false },
      rounds: { type: 'string' },
    },
  });
  const quick = values.quick === true;
  return {
    emit,
    seconds: Number(values.seconds ?? (quick ? 10 : 20)),
    warmup: Number(values.warmup ?? (quick ? 5 : 10)),
    // Two ABBA rounds: the panels' cost is a few per cent, about the drift of one 20 s block to the next on 2 cores.
    rounds: Number(values.rounds ?? (quick ? 0 : 2)),
    backend: String(values.backend) as AppRunOptions['backend'],
    longMinutes: Number(values['long-minutes']),
    prebuilt: values.prebuilt === true,
    torch: values['no-torch'] !== true,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const emit = (record: object) => console.log(JSON.stringify(record));
  await runAppBenchmarks(appRunOptionsFromArgs(process.argv.slice(2), emit));
}
