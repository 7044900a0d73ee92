/**
 * XNNPACK's thread pool of tfjs-backend-wasm: how many threads to ask for, and a workaround for the
 * cap tfjs 4.22 puts on them. Applies to the wasm backend whichever training ops run on it.
 */

/** Threads for XNNPACK: every core (up to 4), since the training worker is the only busy thread. */
export function wantedWasmThreads(): number {
  return Math.max(1, Math.min(4, globalThis.navigator?.hardwareConcurrency ?? 1));
}

/**
 * Runs `start` while `navigator.hardwareConcurrency` reads `cores`. tfjs-backend-wasm 4.22 caps its
 * thread pool at half the logical cores whatever `setThreadsCount` asks (backend.cc: `num_cores =
 * emscripten_num_logical_cores() / 2`, read once when the module starts, assuming two hyper-threads
 * per core), so on a 2-core machine it always ran on 1 thread. Reporting twice the wanted count
 * while the module starts lifts that cap to exactly the count we ask for; afterwards the real value
 * is back.
 */
export async function withReportedCores<T>(cores: number, start: () => Promise<T>): Promise<T> {
  const nav = globalThis.navigator as (Navigator & { hardwareConcurrency: number }) | undefined;
  if (!nav || !globalThis.crossOriginIsolated || cores <= nav.hardwareConcurrency) return start();
  const own = Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency');
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => cores });
  } catch {
    return start();
  }
  try {
    return await start();
  } finally {
    if (own) Object.defineProperty(nav, 'hardwareConcurrency', own);
    else delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}
