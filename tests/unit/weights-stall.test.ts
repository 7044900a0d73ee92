/**
 * Loads that never finish, through the worker's handler with the real loader over real HTTP: a
 * server that sends headers and then nothing, Cancel (`cancel-load`), and the address's model sent
 * as a `load` right after `init` (what the app does): the first model opens without waiting for it.
 * Short download limits stand in for the 15 s defaults.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directorySink } from '../../scripts/lib/weights-node';
import type { DatasetSplits, ImageDataset } from '../../src/core/data/dataset';
import { saveVae } from '../../src/core/io/save';
import { axisPlane } from '../../src/core/latent/plane';
import { makeConfig, type VaeConfig } from '../../src/core/model/config';
import { Vae } from '../../src/core/model/vae';
import type { DownloadLimits } from '../../src/core/net/download';
import type { RequestBody } from '../../src/worker/client';
import { TrainingHandler } from '../../src/worker/handler';
import { fetchModel } from '../../src/worker/model-files';
import type { ModelSource, WorkerEvent, WorkerRequest } from '../../src/worker/protocol';

const LIMITS: Partial<DownloadLimits> = { headersMs: 2000, stallMs: 400 };
const config = (o: Partial<VaeConfig> = {}) => makeConfig({ hidden: [16], latentDim: 2, batchSize: 20, ...o });
const view = { n: 3, ...axisPlane(2, 0, 1), base: [0, 0] };

let root = '';
let base = '';
/** Responses the server still holds open. */
const open = new Set<ServerResponse>();
let closeServer: () => Promise<void>;

/** A tiny random dataset (the loads, not the data, are under test). */
function dataset(count: number): ImageDataset {
  const images = new Float32Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = (i * 7919) % 13 < 3 ? 1 : 0;
  return { images, labels: Uint8Array.from({ length: count }, (_, i) => i % 10), count, imageShape: [28, 28, 1] };
}
const data: DatasetSplits = { name: 'tiny', train: dataset(60), test: dataset(20) };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vae-stall-'));
  for (const [name, seed] of [['good', 3], ['other', 4]] as const) {
    const vae = Vae.create(config({ seed }));
    await saveVae(vae, directorySink(join(root, name)), { dataset: 'tiny', training: { epochs: 1, testElbo: -200 } });
    vae.dispose();
  }
  // /<folder>/...: the files; /stall/...: headers then nothing; /stall-shards/...: the JSON of `good`, shards stall;
  // /slow/...: the files of `other`, each after 300 ms.
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    open.add(res);
    res.on('close', () => open.delete(res));
    const stall = () => {
      res.writeHead(200, { 'content-length': 1000 });
      res.flushHeaders();
    };
    const [, folder, ...rest] = path.split('/');
    if (folder === 'stall' || (folder === 'stall-shards' && path.endsWith('.bin'))) return stall();
    const real = folder === 'stall-shards' ? 'good' : folder === 'slow' ? 'other' : folder;
    setTimeout(() => {
      readFile(join(root, real, ...rest)).then(
        (bytes) => res.writeHead(200, { 'content-length': bytes.length }).end(bytes),
        () => res.writeHead(404).end('not found'),
      );
    }, folder === 'slow' ? 300 : 0);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closeServer = () =>
    new Promise((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });
});

afterAll(async () => {
  await closeServer?.();
  if (root) await rm(root, { recursive: true, force: true });
});

const url = (path: string) => `${base}/${path}`;
const bundled = (): ModelSource => ({ kind: 'url', url: url('good/vae.json'), label: 'the bundled model' });

/** A handler with the real loader under short limits; `backendGate` holds the backend start until it resolves. */
function handler(backendGate: Promise<void> = Promise.resolve()) {
  const events: WorkerEvent[] = [];
  const h = new TrainingHandler({
    post: (e) => events.push(e),
    initBackend: async () => {
      await backendGate;
      return { name: 'wasm', label: 'wasm (test)' };
    },
    loadData: async (_url, _progress, onTest) => {
      onTest?.(data.test);
      return data;
    },
    loadModel: (source, onProgress, buildAfter, signal) => fetchModel(source, onProgress, buildAfter, signal, LIMITS),
    yieldToEvents: () => new Promise((r) => setImmediate(r)),
    timing: { metricsEvery: 5, weightsEveryMs: 0, latentsMinIntervalMs: 0, batchRows: 20, displayShare: 1 },
  });
  let id = 1;
  const send = (req: RequestBody) => {
    const full = { ...req, id: id++ } as WorkerRequest;
    return { id: full.id, done: h.handle(full) };
  };
  const ofType = <T extends WorkerEvent['type']>(type: T) => events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);
  const replyTo = (reqId: number) => events.find((e) => 'id' in e && e.id === reqId && e.type !== 'load-progress');
  const init = () => send({ type: 'init', dataUrl: '', backend: 'auto', config: config(), generation: 1, view, models: [bundled()] });
  const load = (source: ModelSource, generation = 2) => send({ type: 'load', source, config: config(), generation });
  const decode = async (z: number[]) => {
    const r = send({ type: 'decode', z });
    await r.done;
    const reply = replyTo(r.id);
    if (reply?.type !== 'decoded') throw new Error(`no decoded reply: ${JSON.stringify(reply)}`);
    return Array.from(reply.pixels);
  };
  return { events, send, ofType, replyTo, init, load, decode };
}

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a load that never finishes', () => {
  it('a server that stalls: one plain sentence within the stall time; the current model stays and decodes the same', async () => {
    const w = handler();
    await w.init().done;
    const before = await w.decode([0.5, -0.5]);
    const load = w.load({ kind: 'url', url: url('stall-shards/vae.json') });
    await load.done;
    const message = new RegExp(`^The server at ${url('stall-shards')}/(en|de)coder/weights\\.bin sent nothing for 0\\.4 s; the download was stopped\\.$`);
    expect(w.replyTo(load.id)).toEqual({ type: 'error', id: load.id, message: expect.stringMatching(message) });
    expect(w.ofType('model')).toHaveLength(1);
    expect(await w.decode([0.5, -0.5])).toEqual(before);
    await until(() => open.size === 0); // the decoder's shard, stalled beside it, was stopped too
  });

  it('cancel-load stops it: the load answers done (no error), the server lets go, the model is untouched', async () => {
    const w = handler();
    await w.init().done;
    const before = await w.decode([1, 1]);
    const load = w.load({ kind: 'url', url: url('stall/vae.json') });
    await until(() => open.size > 0);
    const cancel = w.send({ type: 'cancel-load' });
    await cancel.done;
    expect(w.replyTo(cancel.id)).toEqual({ type: 'done', id: cancel.id });
    await load.done;
    expect(w.replyTo(load.id)).toEqual({ type: 'done', id: load.id });
    expect(w.ofType('error')).toEqual([]);
    await until(() => open.size === 0);
    expect(w.ofType('model')).toHaveLength(1);
    expect(await w.decode([1, 1])).toEqual(before);
    const step = w.send({ type: 'step' });
    await step.done;
    expect(w.replyTo(step.id)).toEqual({ type: 'done', id: step.id });
  });

  it('cancel-load with no load running is answered at once', async () => {
    const w = handler();
    const cancel = w.send({ type: 'cancel-load' });
    await cancel.done;
    expect(w.replyTo(cancel.id)).toEqual({ type: 'done', id: cancel.id });
  });
});

describe("the address's model, sent as a load right after init", () => {
  it('the bundled model opens first; the address model replaces it once complete, built only after the backend is up', async () => {
    let release = () => undefined as void;
    const w = handler(new Promise<void>((r) => (release = r)));
    const init = w.init();
    const load = w.load({ kind: 'url', url: url('slow/vae.json') });
    await new Promise((r) => setTimeout(r, 800)); // both downloads are done by now
    expect(w.ofType('model')).toEqual([]); // nothing is built before the backend is up
    release();
    await Promise.all([init.done, load.done]);
    expect(w.ofType('model').map((m) => [m.info.generation, m.info.origin])).toEqual([
      [1, 'the bundled model'],
      [2, url('slow/vae.json')],
    ]);
    expect(w.replyTo(load.id)).toMatchObject({ type: 'model', id: load.id });
    expect(w.replyTo(init.id)).toMatchObject({ type: 'ready', id: init.id });
    expect(w.ofType('error')).toEqual([]);
  });

  it('on a stalled server: the bundled model opens and gets ready, and the load alone fails in plain words', async () => {
    const w = handler();
    const init = w.init();
    const load = w.load({ kind: 'url', url: url('stall/vae.json') });
    await init.done;
    expect(w.ofType('model').map((m) => m.info.origin)).toEqual(['the bundled model']);
    expect(w.replyTo(init.id)).toMatchObject({ type: 'ready' });
    expect(w.replyTo(load.id)).toBeUndefined(); // still waiting on the server
    await load.done;
    expect(w.replyTo(load.id)).toMatchObject({ type: 'error', message: `The server at ${url('stall/vae.json')} sent nothing for 0.4 s; the download was stopped.` });
    expect(w.ofType('model')).toHaveLength(1);
    await until(() => open.size === 0);
  });
});
