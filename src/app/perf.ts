/**
 * Measurements a person (or a browser test) can read from the console as `window.__vaePerf`:
 * input-to-pixels latency of the decoded digit, and main-thread tasks longer than 50 ms.
 */
import type { TimeShareReport } from '../worker/time-shares';

/** Collected timings, milliseconds. */
export interface PerfLog {
  /** From the input event's timestamp to the decoded pixels being written. */
  decodeLatency: number[];
  /** Pure decode time of one digit. */
  decodeTime: number[];
  /** Time spent in Plotly.react per chart (testid -> ms list). */
  plotTimes: Record<string, number[]>;
  /** Start times of those redraws (same order), for matching them with long tasks. */
  plotStarts: Record<string, number[]>;
  /** Durations of long main-thread tasks (>= 50 ms), when the browser reports them. */
  longTasks: { start: number; duration: number }[];
  /** The training worker's latest split of its time while training (status `timeShares`). */
  workerTimeShares: TimeShareReport | null;
  /** p95 of a list. */
  p95(values: number[]): number;
}

const LIMIT = 2000;

function push(list: number[], value: number): void {
  list.push(value);
  if (list.length > LIMIT) list.splice(0, list.length - LIMIT);
}

/** The process-wide log (also exposed on window). */
export const perf: PerfLog = {
  decodeLatency: [],
  decodeTime: [],
  plotTimes: {},
  plotStarts: {},
  longTasks: [],
  workerTimeShares: null,
  p95(values: number[]) {
    if (values.length === 0) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))];
  },
};

/** Records one decode: its duration and, if known, the latency from the input event. */
export function recordDecode(started: number, eventTime?: number): void {
  const now = performance.now();
  push(perf.decodeTime, now - started);
  if (eventTime !== undefined && eventTime > 0 && eventTime <= now) push(perf.decodeLatency, now - eventTime);
}

/** Records how long one Plotly redraw of a chart took. */
export function recordPlot(chart: string, ms: number, started: number): void {
  push((perf.plotTimes[chart] ??= []), ms);
  push((perf.plotStarts[chart] ??= []), started);
}

/** Starts watching long tasks and exposes the log as `window.__vaePerf`. */
export function installPerfLog(): void {
  (window as unknown as { __vaePerf: PerfLog }).__vaePerf = perf;
  try {
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        perf.longTasks.push({ start: e.startTime, duration: e.duration });
        if (perf.longTasks.length > LIMIT) perf.longTasks.shift();
      }
    });
    observer.observe({ type: 'longtask', buffered: true });
  } catch {
    // Long-task timing is not available in every browser.
  }
}
