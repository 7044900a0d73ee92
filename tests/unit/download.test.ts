/**
 * The one streaming reader (core/net/download.ts) against a real local HTTP server that misbehaves:
 * it answers nothing, sends headers then nothing, stops half way, or trickles a byte at a time.
 * Short limits stand in for the 15 s / 30 s defaults; the server checks the connection really closes.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImageDataset } from '../../src/core/data/load-dataset';
import { loadModelFromUrl } from '../../src/core/io/load';
import { DEFAULT_LIMITS, DownloadError, downloadBytes, isCancelled, type DownloadLimits } from '../../src/core/net/download';

// A generous headers limit, so a busy machine never mistakes a stalled body for a server that did not answer.
const LIMITS: DownloadLimits = { headersMs: 2000, stallMs: 300, windowMs: 600, minBytesPerWindow: 200 };
/** For servers that do send: a stall limit no hiccup of a busy machine reaches. */
const PATIENT = { ...LIMITS, stallMs: 1500 };
let base = '';
/** Responses still open on the server side. */
const open = new Set<ServerResponse>();
let closeServer: () => Promise<void>;

beforeAll(async () => {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    open.add(res);
    const timers: ReturnType<typeof setInterval>[] = [];
    res.on('close', () => {
      open.delete(res);
      timers.forEach(clearInterval);
    });
    const bytes = (n: number) => Buffer.alloc(n, 7);
    if (path.startsWith('/stalled-folder/')) {
      res.writeHead(200, { 'content-length': 1000 });
      res.flushHeaders();
      return;
    }
    switch (path) {
      case '/silent': // accepts the request and never answers
        return;
      case '/stall': // headers, then nothing
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 1000 });
        res.flushHeaders();
        return;
      case '/partial': // 10 bytes, then nothing
        res.writeHead(200, { 'content-length': 1000 });
        res.write(bytes(10));
        return;
      case '/trickle': // one byte every 20 ms, forever
        res.writeHead(200, { 'content-length': 100_000 });
        timers.push(setInterval(() => res.write(bytes(1)), 20));
        return;
      case '/steady': { // 16 chunks of 1 kB, 100 ms apart: slow but never stalled
        res.writeHead(200, { 'content-length': 16 * 1024 });
        let sent = 0;
        timers.push(setInterval(() => {
          res.write(bytes(1024));
          if (++sent === 16) res.end();
        }, 100));
        return;
      }
      case '/announced-big':
        res.writeHead(200, { 'content-length': 5000 });
        res.end(bytes(5000));
        return;
      case '/chunked-big': // no length header: the limit is found while reading
        res.writeHead(200);
        res.write(bytes(3000));
        setTimeout(() => res.end(bytes(3000)), 20);
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await downloadBytes(`${base}/announced-big`); // the first fetch of a process is slow to start
  closeServer = () =>
    new Promise((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });
});

afterAll(async () => {
  await closeServer?.();
});

/** The DownloadError a download fails with, and how long it took. */
async function failure(url: string, options: Parameters<typeof downloadBytes>[1] = {}): Promise<{ err: DownloadError; ms: number }> {
  const started = performance.now();
  try {
    await downloadBytes(url, { limits: LIMITS, ...options });
  } catch (err) {
    if (!(err instanceof DownloadError)) throw err;
    return { err, ms: performance.now() - started };
  }
  throw new Error(`${url} downloaded`);
}

/** Waits until the server has no response open (the client really let go of the connection). */
async function serverLetGo(): Promise<void> {
  await expect.poll(() => open.size, { timeout: 2000, interval: 20 }).toBe(0);
}

describe('downloadBytes', () => {
  it('defaults: 15 s for an answer and between bytes, at least 16 kB in every 30 s', () => {
    expect(DEFAULT_LIMITS).toEqual({ headersMs: 15_000, stallMs: 15_000, windowMs: 30_000, minBytesPerWindow: 16 * 1024 });
  });

  it('a server that sends headers and then nothing: stopped after the stall time, in one sentence naming the URL', async () => {
    const { err, ms } = await failure(`${base}/stall`);
    expect(err.message).toBe(`The server at ${base}/stall sent nothing for 0.3 s; the download was stopped.`);
    expect(err.kind).toBe('stalled');
    expect(ms).toBeGreaterThanOrEqual(250); // not before the stall time (how soon after is the bench's business, not a test's)
    await serverLetGo();
  });

  it('a server that never answers: stopped after the headers time', async () => {
    const { err } = await failure(`${base}/silent`, { limits: { ...LIMITS, headersMs: 300 } });
    expect(err.message).toBe(`The server at ${base}/silent did not answer within 0.3 s; the download was stopped.`);
    expect(err.kind).toBe('no-answer');
    await serverLetGo();
  });

  it('a server that stops half way', async () => {
    const { err } = await failure(`${base}/partial`);
    expect(err.message).toBe(`The server at ${base}/partial stopped sending for 0.3 s after 10 bytes; the download was stopped.`);
    await serverLetGo();
  });

  it('a server that trickles a byte at a time never stalls, but is stopped for being too slow', async () => {
    const { err, ms } = await failure(`${base}/trickle`, { limits: PATIENT });
    expect(err.kind).toBe('too-slow');
    expect(err.message).toMatch(new RegExp(`^The server at ${base}/trickle is sending too slowly \\(\\d+ bytes in the last 0\\.6 s\\); the download was stopped\\.$`));
    expect(ms).toBeGreaterThanOrEqual(550); // a full window passed first
    await serverLetGo();
  });

  it('a slow but steady server is waited for, with progress, and no timer fires afterwards', async () => {
    const calls: [number, number | null][] = [];
    const bytes = await downloadBytes(`${base}/steady`, { limits: PATIENT, onProgress: (l, t) => calls.push([l, t]) });
    expect(bytes.length).toBe(16 * 1024); // over 1.6 s: two full windows passed
    expect(calls[0]).toEqual([0, 16 * 1024]);
    expect(calls.at(-1)).toEqual([16 * 1024, 16 * 1024]);
    expect(calls.length).toBeGreaterThan(3);
    await new Promise((r) => setTimeout(r, 2 * LIMITS.windowMs)); // a stray timer would reject unhandled here
  });

  it('Cancel (the AbortSignal) stops a stalled download at once', async () => {
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 50);
    // With a one-minute stall limit, only the cancel can end this within the test's time.
    const { err } = await failure(`${base}/stall`, { signal: cancel.signal, limits: { ...LIMITS, stallMs: 60_000 } });
    expect(isCancelled(err)).toBe(true);
    expect(err.message).toBe(`The download of ${base}/stall was cancelled.`);
    await serverLetGo();
    const already = await failure(`${base}/steady`, { signal: AbortSignal.abort() });
    expect(isCancelled(already.err)).toBe(true);
  });

  it('refuses a file over maxBytes, from its length header or while reading', async () => {
    expect((await failure(`${base}/announced-big`, { maxBytes: 4000 })).err).toMatchObject({ kind: 'too-large', message: `${base}/announced-big is 4.9 kB, more than the 3.9 kB this app accepts.` });
    expect((await failure(`${base}/chunked-big`, { maxBytes: 4000 })).err).toMatchObject({ kind: 'too-large', message: `${base}/chunked-big is 5.9 kB, more than the 3.9 kB this app accepts.` });
    expect((await downloadBytes(`${base}/chunked-big`, { maxBytes: 6000 })).length).toBe(6000);
  });

  it('HTTP errors and unreachable servers', async () => {
    expect((await failure(`${base}/nothing`)).err).toMatchObject({ kind: 'status', status: 404, message: `Could not download ${base}/nothing: the server answered 404 Not Found.` });
    const failing = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    expect((await failure('https://elsewhere.example/x', { fetchImpl: failing })).err).toMatchObject({
      kind: 'network',
      message: 'Could not reach https://elsewhere.example/x; the server may be down or may not allow cross-origin requests.',
    });
  });

  it('a fetch that ignores its signal still ends at the limit', async () => {
    const never = (() => new Promise<Response>(() => undefined)) as typeof fetch;
    const { err } = await failure('https://hangs.example/x', { fetchImpl: never, limits: { ...LIMITS, headersMs: 300 } });
    expect(err.kind).toBe('no-answer');
  });
});

describe('its callers', () => {
  it('a dataset on a stalled server fails within the stall time (the app then falls back), every download stopped', async () => {
    const loading = loadImageDataset(`${base}/stalled-folder`, { limits: LIMITS });
    await expect(loading).rejects.toThrow(new RegExp(`^The server at ${base}/stalled-folder/[a-z0-9-]+\\.gz sent nothing for 0\\.3 s; the download was stopped\\.$`));
    await serverLetGo();
  });

  it('a model on a stalled server: a plain WeightsError; Cancel stops it too', async () => {
    await expect(loadModelFromUrl(`${base}/stalled-folder/vae.json`, { limits: LIMITS })).rejects.toThrow(
      `The server at ${base}/stalled-folder/vae.json sent nothing for 0.3 s; the download was stopped.`,
    );
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 50);
    await expect(loadModelFromUrl(`${base}/stalled-folder/vae.json`, { signal: cancel.signal })).rejects.toThrow(/was cancelled/);
    await serverLetGo();
  });
});
