import { describe, expect, it } from 'vitest';
import { RedrawQueue, type QueueClock } from '../../src/app/plot-queue';

/** A hand-driven clock: timers fire only when `advance` passes them. */
function fakeClock() {
  let now = 0;
  let next = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: QueueClock = {
    now: () => now,
    setTimeout(fn, ms) {
      const id = next++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(id) {
      timers.delete(id as number);
    },
  };
  /** Moves time forward, firing due timers one per "task" in time order. */
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = Math.max(now, due[1].at);
      due[1].fn();
    }
    now = end;
  };
  /** Redraws that record when they started and take `ms` of the clock. */
  const starts: [string, number][] = [];
  const slow = (name: string, ms: number) => () => {
    starts.push([name, now]);
    now += ms;
  };
  return {
    clock,
    advance,
    starts,
    slow,
    get now() {
      return now;
    },
  };
}

describe('RedrawQueue', () => {
  it('never runs a redraw inside the task that asks for it, and runs one chart per task', () => {
    const c = fakeClock();
    const q = new RedrawQueue(c.clock, { min: 10, max: 100 });
    const runs: string[] = [];
    const a = {};
    const b = {};
    q.request(a, () => runs.push('a'));
    q.request(b, () => runs.push('b'));
    expect(runs).toEqual([]);
    c.advance(0);
    expect(runs).toEqual(['a']);
    c.advance(9);
    expect(runs).toEqual(['a']);
    c.advance(1);
    expect(runs).toEqual(['a', 'b']);
  });

  it('keeps only the latest request of a chart and its place in line', () => {
    const c = fakeClock();
    const q = new RedrawQueue(c.clock, { min: 0, max: 0 });
    const runs: string[] = [];
    const a = {};
    const b = {};
    q.request(a, () => runs.push('a1'));
    q.request(b, () => runs.push('b1'));
    q.request(a, () => runs.push('a2'));
    c.advance(5);
    expect(runs).toEqual(['a2', 'b1']);
  });

  it('holds a chart to its minimum interval between redraws', () => {
    const c = fakeClock();
    const q = new RedrawQueue(c.clock, { min: 0, max: 0 });
    const starts: number[] = [];
    const a = {};
    const ask = () => q.request(a, () => starts.push(c.now), 500);
    ask();
    c.advance(100);
    ask();
    c.advance(100);
    ask();
    c.advance(1000);
    expect(starts).toEqual([0, 500]);
    // A request with no interval (a new layout) goes at once.
    q.request(a, () => starts.push(c.now), 0);
    c.advance(1);
    expect(starts).toEqual([0, 500, 1200]);
  });

  it('pauses after a redraw about as long as it took', () => {
    const c = fakeClock();
    const q = new RedrawQueue(c.clock, { min: 16, max: 120 });
    const { starts, slow } = c;
    q.request({}, slow('a', 40));
    q.request({}, slow('b', 300));
    q.request({}, slow('c', 1));
    c.advance(1000);
    expect(starts).toEqual([
      ['a', 0],
      ['b', 80],
      ['c', 500],
    ]);
  });

  it('while training keeps the redraws to their share of the thread, by what each cost', () => {
    const c = fakeClock();
    const q = new RedrawQueue(c.clock, { min: 16, max: 120 });
    q.setShare(0.1);
    const { starts, slow } = c;
    q.request({}, slow('a', 40));
    q.request({}, slow('b', 300));
    q.request({}, slow('c', 1));
    c.advance(5000);
    // After a: 40 ms * 9 = 360 ms more; after b: 300 ms * 9 = 2,700 ms more.
    expect(starts).toEqual([
      ['a', 0],
      ['b', 400],
      ['c', 3400],
    ]);
    const busy = 40 + 300;
    expect(busy / (3400 - 0)).toBeLessThanOrEqual(0.1);
    q.setShare(null); // paused: back to pauses as long as the redraw
    q.request({}, slow('d', 50));
    q.request({}, slow('e', 1));
    c.advance(1000);
    expect(starts.slice(3)).toEqual([
      ['d', 5000],
      ['e', 5100],
    ]);
  });

  it('under a share, a slow redraw holds the charts for at most maxSharePauseMs', () => {
    const c = fakeClock();
    const q = new RedrawQueue(c.clock, { min: 16, max: 120 }, 4000);
    q.setShare(0.008);
    const { starts, slow } = c;
    q.request({}, slow('scatter', 200)); // 200 ms at 0.8% would mean 24.8 s of pause
    q.request({}, slow('loss', 25));
    c.advance(10_000);
    expect(starts).toEqual([
      ['scatter', 0],
      ['loss', 4200],
    ]);
  });

  it('lifting the share (Pause) re-times the pause after the last redraw: the charts catch up at once', () => {
    const c = fakeClock();
    const q = new RedrawQueue(c.clock, { min: 16, max: 120 });
    q.setShare(0.1);
    const { starts, slow } = c;
    q.request({}, slow('a', 300)); // while training: 2,700 ms of pause after it
    c.advance(10);
    q.request({}, slow('b', 1));
    c.advance(100);
    expect(starts).toEqual([['a', 0]]);
    q.setShare(null); // Pause: the pause after a is as long as a was, at most 120 ms
    c.advance(1000);
    expect(starts).toEqual([
      ['a', 0],
      ['b', 420],
    ]);
  });

  it('waits for a redraw that returns a promise before the next one', async () => {
    const c = fakeClock();
    const q = new RedrawQueue(c.clock, { min: 0, max: 0 });
    const runs: string[] = [];
    let release!: () => void;
    q.request({}, () => {
      runs.push('a');
      return new Promise<void>((resolve) => (release = resolve));
    });
    q.request({}, () => runs.push('b'));
    c.advance(100);
    expect(runs).toEqual(['a']);
    release();
    await Promise.resolve();
    await Promise.resolve();
    c.advance(1);
    expect(runs).toEqual(['a', 'b']);
  });

  it('forgets a cancelled chart', () => {
    const c = fakeClock();
    const q = new RedrawQueue(c.clock);
    const runs: string[] = [];
    const a = {};
    q.request(a, () => runs.push('a'));
    q.cancel(a);
    c.advance(100);
    expect(runs).toEqual([]);
    expect(q.pending).toBe(false);
  });

  it('with a quiet provider, a redraw waits for quiet and releases it two frames after drawing', async () => {
    const c = fakeClock();
    const frames: (() => void)[] = [];
    const q = new RedrawQueue({ ...c.clock, afterFrame: (fn) => void frames.push(fn) }, { min: 0, max: 0 });
    const log: string[] = [];
    let grant!: () => void;
    q.setQuiet(
      () =>
        new Promise((resolve) => {
          log.push('ask');
          grant = () => resolve(() => log.push('release'));
        }),
    );
    q.request({}, () => log.push('draw'));
    c.advance(1);
    frames.shift()!(); // the queue's own wait for a frame before a redraw
    expect(log).toEqual(['ask']);
    grant();
    await Promise.resolve();
    await Promise.resolve();
    expect(log).toEqual(['ask', 'draw']);
    frames.shift()!();
    expect(log).toEqual(['ask', 'draw']);
    frames.shift()!();
    expect(log).toEqual(['ask', 'draw', 'release']);
  });
});
