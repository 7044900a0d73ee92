/** The benchmark page: `window.runBench(request)` runs one benchmark in a fresh worker. */
import type { BenchRequest, BenchResult, RunBench } from './protocol';

const log = document.getElementById('log');

const runBench: RunBench = (req: BenchRequest) =>
  new Promise<BenchResult>((resolve, reject) => {
    const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module', name: 'bench' });
    worker.onmessage = (e: MessageEvent<{ ok: true; result: BenchResult } | { ok: false; error: string }>) => {
      worker.terminate();
      if (log) log.textContent += `${JSON.stringify(e.data)}\n`;
      if (e.data.ok) resolve(e.data.result);
      else reject(new Error(e.data.error));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(`benchmark worker failed: ${e.message}`));
    };
    worker.postMessage(req);
  });

(window as unknown as { runBench: RunBench; crossOriginIsolatedPage: boolean }).runBench = runBench;
