import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../src/core/model/config';
import { TrainingClient, WorkerStoppedError, type WorkerPort } from '../../src/worker/client';
import type { WorkerEvent, WorkerRequest } from '../../src/worker/protocol';

/** A WorkerPort that records requests and lets the test play the worker. */
function fakePort() {
  const sent: WorkerRequest[] = [];
  let listener: ((e: MessageEvent<WorkerEvent>) => void) | null = null;
  const port: WorkerPort & { terminated: boolean } = {
    terminated: false,
    postMessage: (m) => sent.push(m),
    addEventListener: (_t, l) => (listener = l),
    removeEventListener: () => (listener = null),
    terminate() {
      this.terminated = true;
    },
  };
  const emit = (event: WorkerEvent) => listener?.({ data: event } as MessageEvent<WorkerEvent>);
  return { port, sent, emit };
}

const status = (generation: number, step = 0) => ({
  type: 'status' as const,
  status: { generation, training: false, step, epoch: 0, epochProgress: 0, stepsPerEpoch: 10, examplesPerSecond: 0 },
});
const manifold = (id: number | null, generation: number) => ({ type: 'manifold' as const, id, generation, step: 0, n: 2, pixels: 1, images: new Uint8Array(4) });
const view = { n: 2, a1: [1, 0], a2: [0, 1], base: [0, 0] };

describe('TrainingClient', () => {
  it('numbers requests and resolves each with its reply', async () => {
    const { port, sent, emit } = fakePort();
    const client = new TrainingClient(port);
    const train = client.request({ type: 'train' });
    const step = client.request({ type: 'step' });
    expect(sent.map((r) => [r.type, r.id])).toEqual([['train', 1], ['step', 2]]);
    emit({ type: 'done', id: 2 });
    emit({ type: 'done', id: 1 });
    await expect(train).resolves.toEqual({ type: 'done', id: 1 });
    await expect(step).resolves.toEqual({ type: 'done', id: 2 });
    expect(client.pendingCount).toBe(0);
  });

  it('rejects with the worker message on an error reply, and passes id-less errors to listeners', async () => {
    const { port, emit } = fakePort();
    const client = new TrainingClient(port);
    const seen: WorkerEvent[] = [];
    client.subscribe((e) => seen.push(e));
    const step = client.request({ type: 'step' });
    emit({ type: 'error', id: 1, message: 'The model is not ready yet.' });
    await expect(step).rejects.toThrow('The model is not ready yet.');
    emit({ type: 'error', id: null, message: 'Training diverged' });
    expect(seen.map((e) => e.type)).toEqual(['error', 'error']);
  });

  it('drops a superseded view reply and manifold pushes while a view is pending', async () => {
    const { port, emit } = fakePort();
    const client = new TrainingClient(port);
    const seen: WorkerEvent[] = [];
    client.subscribe((e) => seen.push(e));
    const first = client.setView(view);
    const second = client.setView({ ...view, n: 3 });
    await expect(first).resolves.toBeNull(); // stale at once
    emit(manifold(1, 0)); // the late answer to the first: dropped
    emit(manifold(null, 0)); // a push with the old view: dropped
    expect(seen).toEqual([]);
    emit(manifold(2, 0));
    await expect(second).resolves.toMatchObject({ type: 'manifold', id: 2 });
    emit(manifold(null, 0)); // no view pending now: delivered
    expect(seen.map((e) => (e as { id: number | null }).id)).toEqual([2, null]);
  });

  it('drops streaming events of a replaced model generation', async () => {
    const { port, emit } = fakePort();
    const client = new TrainingClient(port);
    const seen: WorkerEvent[] = [];
    client.subscribe((e) => seen.push(e));
    void client.request({ type: 'init', dataUrl: '/d/', backend: 'auto', config: makeConfig(), generation: 1, view });
    emit(status(1, 5));
    const reset = client.request({ type: 'reset', config: makeConfig(), generation: client.nextGeneration() });
    expect(client.generation).toBe(2);
    emit(status(1, 6)); // in flight before the reset was handled
    emit({ type: 'metrics', generation: 1, metrics: [] });
    emit(status(2, 0));
    emit({ type: 'done', id: 2 });
    await expect(reset).resolves.toEqual({ type: 'done', id: 2 });
    expect(seen.filter((e) => e.type === 'status').map((e) => (e as ReturnType<typeof status>).status.step)).toEqual([5, 0]);
    expect(seen.some((e) => e.type === 'metrics')).toBe(false);
  });

  it('a stale-generation reply still settles its request (with null)', async () => {
    const { port, emit } = fakePort();
    const client = new TrainingClient(port);
    void client.request({ type: 'reset', config: makeConfig(), generation: 1 });
    const v = client.setView(view);
    void client.request({ type: 'reset', config: makeConfig(), generation: 2 });
    emit(manifold(2, 1));
    await expect(v).resolves.toBeNull();
  });

  it('close terminates the worker and rejects what is pending', async () => {
    const { port } = fakePort();
    const client = new TrainingClient(port);
    const p = client.request({ type: 'pause' });
    client.close();
    await expect(p).rejects.toThrow(/stopped/);
    await expect(p).rejects.toBeInstanceOf(WorkerStoppedError); // the page can tell it from a failure
    expect(port.terminated).toBe(true);
    await expect(client.request({ type: 'train' })).rejects.toThrow(/stopped/);
  });
});
