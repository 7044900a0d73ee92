/** The training worker: a thin shell that wires the pure handler to postMessage. */
import './tf-browser';
import { loadImageDataset } from '../core/data/load-dataset';
import type { KernelsChoice } from '../core/ops';
import { initBackend } from './backend';
import { BUILTIN_DATA_PATH, loadDataOrBuiltin } from './dataset-source';
import { TrainingHandler } from './handler';
import { transferablesOf, type WorkerEvent, type WorkerRequest } from './protocol';

/** The worker global scope (typed by hand: the project compiles against the DOM lib). */
const scope = self as unknown as {
  postMessage(message: WorkerEvent, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
};

/** A macrotask turn without setTimeout's 4 ms clamp: pending messages are handled first. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** The training ops the page asks for (`?kernels=`, in its warm-up and init), chosen when the backend starts. */
let kernels: KernelsChoice = 'accelerated';

const handler = new TrainingHandler({
  post: (event: WorkerEvent) => scope.postMessage(event, transferablesOf(event)),
  initBackend: (choice) => initBackend(choice, kernels),
  // The address's dataset, or the built-in MNIST (with the reason shown) when it cannot be loaded or used.
  loadData: (url, onProgress, onTestSplit, skip) =>
    loadDataOrBuiltin(
      url,
      onProgress,
      onTestSplit,
      {
        load: loadImageDataset,
        builtinUrl: new URL(BUILTIN_DATA_PATH, self.location.href).href,
        warn: (message) => scope.postMessage({ type: 'error', id: null, message }, []),
      },
      skip,
    ),
  yieldToEvents,
});

scope.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const req = e.data;
  if ((req.type === 'warm-up' || req.type === 'init') && req.kernels) kernels = req.kernels;
  void handler.handle(req);
};
