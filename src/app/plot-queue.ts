/**
 * Scheduling of chart redraws on the main thread. A Plotly redraw is one synchronous block of
 * tens of milliseconds on a slow machine, so two in one task (or one right after another) make a long task that
 * delays input. Charts ask for a redraw; a single pump runs one redraw per macrotask, oldest request
 * first, leaves a pause after each about as long as the redraw took (while training: long enough to
 * keep the redraws to a share of the thread, setShare), and keeps each chart to its own minimum
 * interval. A newer request of a chart replaces its pending one (only the latest data counts).
 */

/** A redraw; its promise (if any) settles when the chart is drawn. */
export type RedrawTask = () => unknown;

interface Entry {
  task: RedrawTask | null;
  /** When the pending task was first asked for (keeps the queue in order). */
  requestedAt: number;
  /** Earliest start of the pending task. */
  notBefore: number;
  minIntervalMs: number;
  lastStart: number;
}

/** Timer functions (injectable for tests). */
export interface QueueClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Calls `fn` in a task of its own right after the next frame is rendered (or soon, without frames). */
  afterFrame?(fn: () => void): void;
}

const browserClock: QueueClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  afterFrame(fn) {
    if (typeof requestAnimationFrame !== 'function') return void setTimeout(fn, 0);
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      fn();
    };
    // rAF callbacks run inside the rendering task; the redraw gets a task of its own just after it,
    // when the page's layout is fresh (Plotly measures text, which would lay out the page again).
    requestAnimationFrame(() => setTimeout(once, 0));
    // Without frames (a hidden page) the redraw still happens, a little later.
    setTimeout(once, 100);
  },
};

/** Runs chart redraws one per task. */
export class RedrawQueue {
  private readonly entries = new Map<object, Entry>();
  private timer: unknown = null;
  private timerAt = Infinity;
  private running = false;
  /** No redraw starts before this (the pause after the previous one). */
  private idleUntil = -Infinity;
  /** Asks for a quiet CPU before each redraw and resolves with its release (see setQuiet). */
  private quiet: (() => Promise<() => void>) | null = null;
  /** The most of the main thread's time the redraws take together (see setShare), or null. */
  private share: number | null = null;
  /** When the last redraw finished and how long its synchronous part took (to re-time its pause when the share changes). */
  private last: { finishedAt: number; took: number } | null = null;

  constructor(
    private readonly clock: QueueClock = browserClock,
    /** Bounds of the pause after a redraw, ms. */
    private readonly gap: { min: number; max: number } = { min: 16, max: 120 },
    /**
     * The longest pause after a redraw under a share, ms: on a busy CPU one slow redraw (a scatter of
     * 10,000 points, 200 ms) would otherwise hold every chart for half a minute at 0.8%.
     */
    private readonly maxSharePauseMs = 4000,
  ) {}

  /**
   * Asks for `task` to run for chart `key`, at least `minIntervalMs` after that chart's previous
   * redraw started (0: as soon as the queue allows).
   */
  request(key: object, task: RedrawTask, minIntervalMs = 0): void {
    const now = this.clock.now();
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { task: null, requestedAt: now, notBefore: now, minIntervalMs, lastStart: -Infinity };
      this.entries.set(key, entry);
    }
    if (!entry.task) entry.requestedAt = now;
    entry.task = task;
    entry.minIntervalMs = minIntervalMs;
    entry.notBefore = entry.lastStart + minIntervalMs;
    this.wake();
  }

  /**
   * Makes every redraw first ask for a quiet CPU (the training worker standing still) and release it
   * after the frame that shows the redraw; null stops asking.
   */
  setQuiet(quiet: (() => Promise<() => void>) | null): void {
    this.quiet = quiet;
  }

  /**
   * Keeps the redraws together to about `share` of the main thread's time (null: no limit): after a
   * redraw of d ms the next waits d * (1 / share - 1), at most `maxSharePauseMs`. While training on a machine with few cores the
   * page's drawing takes CPU from training; the charts then refresh less often, by what they cost.
   */
  setShare(share: number | null): void {
    if (share === this.share) return; // the page says it with every status (twice a second)
    this.share = share;
    // The pause after the last redraw was timed for the old share (seconds while training): re-time it,
    // so that after Pause the charts catch up at once instead of waiting out a training-time pause.
    if (this.last && !this.running) {
      this.idleUntil = this.last.finishedAt + this.pauseAfter(this.last.took);
      if (this.timer !== null) {
        this.clock.clearTimeout(this.timer);
        this.timer = null;
        this.timerAt = Infinity;
      }
      this.wake();
    }
  }

  /** The pause after a redraw whose synchronous part took `took` ms. */
  private pauseAfter(took: number): number {
    return Math.max(this.gap.min, this.share === null ? Math.min(this.gap.max, took) : Math.min(this.maxSharePauseMs, took * (1 / this.share - 1)));
  }

  /** Drops the chart's pending redraw and forgets it. */
  cancel(key: object): void {
    this.entries.delete(key);
  }

  /** True while a redraw of some chart is pending. */
  get pending(): boolean {
    for (const e of this.entries.values()) if (e.task) return true;
    return false;
  }

  /** Arms the timer for the earliest moment a pending task may run. */
  private wake(): void {
    if (this.running) return;
    let at = Infinity;
    for (const e of this.entries.values()) if (e.task) at = Math.min(at, e.notBefore);
    if (at === Infinity) return;
    at = Math.max(at, this.idleUntil);
    if (this.timer !== null && this.timerAt <= at) return;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timerAt = at;
    // Always a new macrotask, even when due now: never inside the task that asked.
    this.timer = this.clock.setTimeout(() => {
      if (this.clock.afterFrame) this.clock.afterFrame(() => this.runNext());
      else this.runNext();
    }, Math.max(0, at - this.clock.now()));
  }

  private runNext(): void {
    this.timer = null;
    this.timerAt = Infinity;
    if (this.running) return;
    const now = this.clock.now();
    let chosen: [object, Entry] | null = null;
    for (const [key, e] of this.entries) {
      if (e.task && e.notBefore <= now && (!chosen || e.requestedAt < chosen[1].requestedAt)) chosen = [key, e];
    }
    if (!chosen) return this.wake();
    const entry = chosen[1];
    const task = entry.task!;
    entry.task = null;
    entry.lastStart = now;
    this.running = true;
    if (!this.quiet) return this.execute(task, null);
    // Ask for a quiet CPU first; the redraw runs when the training worker stands still.
    this.quiet().then(
      (release) => this.execute(task, release),
      () => this.execute(task, null),
    );
  }

  /** Runs one redraw; `release` (if any) ends the quiet window after the next frame is rendered. */
  private execute(task: RedrawTask, release: (() => void) | null): void {
    const started = this.clock.now();
    let took = 0;
    let released = false;
    const releaseQuiet = () => {
      if (released || !release) return;
      released = true;
      // The frames that show the redraw are part of the drawing: the first lays it out and paints
      // it, and its commit (which copies a software-rendered WebGL canvas) blocks the main thread
      // until the compositor has taken it, which is over by the time a second frame starts.
      const afterFrame = this.clock.afterFrame?.bind(this.clock);
      if (afterFrame) afterFrame(() => afterFrame(release));
      else release();
    };
    const finish = () => {
      releaseQuiet();
      const finishedAt = this.clock.now();
      this.last = { finishedAt, took };
      this.idleUntil = finishedAt + this.pauseAfter(took);
      this.running = false;
      this.wake();
    };
    let result: unknown;
    try {
      result = task();
    } catch (err) {
      finish();
      throw err;
    } finally {
      // The synchronous part is what blocks the thread; the pause after the redraw matches it.
      took = this.clock.now() - started;
    }
    if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(finish, finish);
    else finish();
  }
}

/** The page's one queue for every chart. */
export const redraws = new RedrawQueue();
