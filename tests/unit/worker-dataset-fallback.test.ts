import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMnistDir } from '../../scripts/lib/load-dataset-node';
import { encodeIdx } from '../../src/core/data/idx';
import { loadImageDataset } from '../../src/core/data/load-dataset';
import { makeConfig } from '../../src/core/model/config';
import { axisPlane } from '../../src/core/latent/plane';
import { loadDataOrBuiltin } from '../../src/worker/dataset-source';
import { TrainingHandler } from '../../src/worker/handler';
import type { WorkerEvent, WorkerRequest } from '../../src/worker/protocol';

let root: string;
let server: Server;
let baseUrl: string;

/** Serves `root`, and the real prepared MNIST under /data/mnist/. */
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vae-fallback-'));
  // 32x32 images: well-formed IDX, but not what the models take.
  mkdirSync(join(root, 'big'));
  const files = {
    'train-images-idx3-ubyte': encodeIdx([4, 32, 32], new Uint8Array(4 * 1024).fill(9)),
    'train-labels-idx1-ubyte': encodeIdx([4], new Uint8Array([0, 1, 2, 3])),
    't10k-images-idx3-ubyte': encodeIdx([2, 32, 32], new Uint8Array(2 * 1024).fill(9)),
    't10k-labels-idx1-ubyte': encodeIdx([2], new Uint8Array([1, 2])),
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(root, 'big', `${name}.gz`), gzipSync(bytes));
  server = createServer((req, res) => {
    if (req.url?.startsWith('/hang/')) return; // accepts and never answers
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = path.startsWith('/data/mnist/') ? join(defaultMnistDir(), path.slice('/data/mnist/'.length)) : join(root, path);
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'Content-Length': body.length }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections(); // the /hang/ requests
  await new Promise<void>((done) => server.close(() => done()));
  rmSync(root, { recursive: true, force: true });
});

/** A handler whose data comes as the worker's does (loadDataOrBuiltin over HTTP), and the events it posts. */
function fallbackHandler() {
  const events: WorkerEvent[] = [];
  const post = (e: WorkerEvent) => events.push(e);
  const handler = new TrainingHandler({
    post,
    initBackend: async () => ({ name: 'wasm', label: 'wasm (test)' }),
    loadData: (url, onProgress, onTestSplit, skip) =>
      loadDataOrBuiltin(
        url,
        onProgress,
        onTestSplit,
        { load: loadImageDataset, builtinUrl: `${baseUrl}/data/mnist/`, warn: (message) => post({ type: 'error', id: null, message }) },
        skip,
      ),
    yieldToEvents: () => new Promise((r) => setImmediate(r)),
    timing: { metricsEvery: 1, weightsEveryMs: 0, latentsMinIntervalMs: 0, batchRows: 2000, displayShare: 1 },
  });
  const init = (dataUrl: string) =>
    handler.handle({ type: 'init', id: 1, dataUrl, backend: 'wasm', config: makeConfig({ hidden: [16], latentDim: 2, batchSize: 50 }), generation: 1, view: { n: 3, ...axisPlane(2, 0, 1), base: [0, 0] } } as WorkerRequest);
  return { events, handler, init };
}

describe('a dataset that cannot be used falls back to the built-in MNIST', () => {
  it('a folder that 404s: the reason is shown, MNIST is loaded, and the worker becomes ready and trains', async () => {
    const { events, handler, init } = fallbackHandler();
    await init(`${baseUrl}/typo/`);
    const errors = events.filter((e): e is Extract<WorkerEvent, { type: 'error' }> => e.type === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].id).toBeNull();
    expect(errors[0].message).toMatch(/^No dataset found at http:\/\/127\.0\.0\.1:\d+\/typo: it has no t10k-labels-idx1-ubyte \(\.gz or plain\), nor the test labels of EMNIST, Fashion-MNIST, KMNIST or QMNIST under their own names \(the server answered 404 Not Found\)\. The built-in MNIST is used instead\.$/);
    const ready = events.find((e): e is Extract<WorkerEvent, { type: 'ready' }> => e.type === 'ready');
    expect(ready).toMatchObject({ id: 1, datasetName: 'mnist', trainCount: 60000, testCount: 10000 });
    await handler.handle({ type: 'step', id: 2 } as WorkerRequest);
    const metrics = events.filter((e): e is Extract<WorkerEvent, { type: 'metrics' }> => e.type === 'metrics').flatMap((e) => e.metrics);
    expect(metrics).toHaveLength(1);
    expect(Number.isFinite(metrics[0].total)).toBe(true);
  });

  it('a dataset server that never answers: skip-dataset stops its download, and MNIST is used', async () => {
    const { events, handler, init } = fallbackHandler();
    const initDone = init(`${baseUrl}/hang/`);
    await expect.poll(() => events.some((e) => e.type === 'progress' && e.skippable)).toBe(true); // the page offers the skip now
    await handler.handle({ type: 'skip-dataset', id: 2 } as WorkerRequest);
    await initDone;
    const errors = events.filter((e): e is Extract<WorkerEvent, { type: 'error' }> => e.type === 'error').map((e) => e.message);
    // Not the stall limit's "did not answer within 15 s": the person's skip stopped it.
    expect(errors).toEqual([`The download of the dataset at ${baseUrl}/hang/ was stopped. The built-in MNIST is used instead.`]);
    expect(events.find((e) => e.type === 'ready')).toMatchObject({ id: 1, datasetName: 'mnist', trainCount: 60000 });
    expect(events.some((e) => e.type === 'done' && e.id === 2)).toBe(true);
    const afterSkip = events.filter((e) => e.type === 'progress').slice(-1)[0];
    expect(afterSkip).not.toHaveProperty('skippable'); // MNIST's own download offers nothing to skip to
  });

  it('a dataset of the wrong image size is refused in one sentence, and MNIST is used', async () => {
    const warnings: string[] = [];
    const handed: number[] = [];
    const data = await loadDataOrBuiltin(`${baseUrl}/big`, () => undefined, (test) => handed.push(test.count), {
      load: loadImageDataset,
      builtinUrl: `${baseUrl}/data/mnist/`,
      warn: (m) => warnings.push(m),
    });
    expect(warnings).toEqual(['The test split of big has 32x32 grey images, but the models here take 28x28 grey images. The built-in MNIST is used instead.']);
    expect(data.name).toBe('mnist');
    expect(handed).toEqual([10000]); // only MNIST's test split was handed over
  });

  it('a failure of the built-in MNIST itself is not hidden', async () => {
    const warnings: string[] = [];
    const load = loadDataOrBuiltin(`${baseUrl}/nothing/`, () => undefined, undefined, {
      load: loadImageDataset,
      builtinUrl: `${baseUrl}/also-nothing/`,
      warn: (m) => warnings.push(m),
    });
    await expect(load).rejects.toThrow(/No dataset found at .*also-nothing/);
    expect(warnings).toHaveLength(1);
  });
});
