/** A training-worker stand-in for App tests: records requests, lets the test emit events. */
import { act } from '@testing-library/react';
import type { WorkerPort } from '../../../src/worker/client';
import type { ModelInfo, TrainingStatus, WorkerEvent, WorkerRequest } from '../../../src/worker/protocol';

/** The fake: its port, the requests sent to it, and a way to emit its events. */
export function fakeWorker() {
  const sent: WorkerRequest[] = [];
  const listeners = new Set<(e: MessageEvent<WorkerEvent>) => void>();
  const port: WorkerPort = {
    postMessage: (m) => sent.push(m),
    addEventListener: (type, l) => {
      if (type === 'message') listeners.add(l);
    },
    removeEventListener: (_t, l) => listeners.delete(l),
    terminate: () => undefined,
  };
  const emit = (event: WorkerEvent) => act(() => listeners.forEach((l) => l({ data: event } as MessageEvent<WorkerEvent>)));
  const last = <T extends WorkerRequest['type']>(type: T) => sent.filter((r): r is Extract<WorkerRequest, { type: T }> => r.type === type).at(-1);
  const count = (type: WorkerRequest['type']) => sent.filter((r) => r.type === type).length;
  return { port, sent, emit, last, count };
}

export type FakeWorker = ReturnType<typeof fakeWorker>;

/** A status event. */
export const status = (over: Partial<TrainingStatus> = {}): WorkerEvent => ({
  type: 'status',
  status: { generation: 1, training: false, step: 0, epoch: 0, epochProgress: 0, stepsPerEpoch: 469, examplesPerSecond: 0, ...over },
});

/** Answers the worker's init: data loaded, backend ready, status at step 0. */
export function ready(w: FakeWorker) {
  const init = w.last('init')!;
  w.emit({ type: 'ready', id: init.id, backend: 'wasm', backendLabel: 'wasm (2 threads, SIMD)', datasetName: 'mnist', trainCount: 60000, testCount: 2, imageShape: [28, 28, 1], testLabels: new Uint8Array([3, 7]), testImages: new Uint8Array(2 * 784) });
  w.emit(status());
}

/** Sends decoder weights of a small MLP for `latentDim`. */
export function weights(w: FakeWorker, latentDim: number, generation = 1) {
  const layer = (inDim: number, outDim: number) => ({ kernel: new Float32Array(inDim * outDim).fill(0.01), bias: new Float32Array(outDim), inDim, outDim, activation: 'relu' as const });
  w.emit({ type: 'weights', generation, step: 0, decoder: { layers: [layer(latentDim, 8), { ...layer(8, 784), activation: 'linear' }] } });
}

/** The bundled model's info as the worker describes it, with overrides. */
export const modelInfo = (over: Partial<ModelInfo> = {}): ModelInfo => ({
  generation: 1,
  origin: 'the bundled model',
  url: null,
  latentDim: 2,
  hidden: [512, 256],
  likelihood: 'bernoulli',
  trainable: true,
  notTrainable: null,
  hasEncoder: true,
  decodeInWorker: false,
  training: { epochs: 30, testElbo: -140.35 },
  dataset: 'mnist',
  ...over,
});
