/**
 * The benchmark page: `window.runBench(request)` runs one benchmark in a fresh worker;
 * `window.runHelperCheck(request)` trains with and without the kernel helper thread (e2e test).
 */
import type { BenchRequest, BenchResult, HelperCheckRequest, HelperCheckResult, RunBench } from './protocol';

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

Object.assign(window, { runBench, runHelperCheck });
