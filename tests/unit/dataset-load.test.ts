import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import { pixelsPerImage, takeFirst } from '../../src/core/data/dataset';
import { fetchBytes } from '../../src/core/data/fetch-bytes';
import { encodeIdx } from '../../src/core/data/idx';
import { IDX_FILES, loadImageDataset } from '../../src/core/data/load-dataset';

const PIXELS = 28 * 28;
let root: string;
let server: Server;
let baseUrl: string;

/** Pixel j of image i: distinct per image, covering 0 and 255. */
const pixel = (i: number, j: number) => (i * 40 + j) % 256;

function images(n: number): Uint8Array {
  const out = new Uint8Array(n * PIXELS);
  for (let i = 0; i < n; i++) for (let j = 0; j < PIXELS; j++) out[i * PIXELS + j] = pixel(i, j);
  return encodeIdx([n, 28, 28], out);
}

function labels(n: number): Uint8Array {
  return encodeIdx([n], Uint8Array.from({ length: n }, (_, i) => (i * 3) % 10));
}

/** Writes a dataset folder; `gz` chooses gzipped or plain files; `skip` leaves one file out. */
function writeFolder(name: string, opts: { gz: boolean; trainLabels?: number; skip?: string }): void {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const files: Record<string, Uint8Array> = {
    [IDX_FILES.trainImages]: images(5),
    [IDX_FILES.trainLabels]: labels(opts.trainLabels ?? 5),
    [IDX_FILES.testImages]: images(3),
    [IDX_FILES.testLabels]: labels(3),
  };
  for (const [file, bytes] of Object.entries(files)) {
    if (file === opts.skip) continue;
    if (opts.gz) writeFileSync(join(dir, `${file}.gz`), gzipSync(bytes));
    else writeFileSync(join(dir, file), bytes);
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vae-data-'));
  writeFolder('fashion-mnist', { gz: true });
  writeFolder('plain', { gz: false });
  writeFolder('spa/plain', { gz: false });
  writeFolder('spa/missing', { gz: false, skip: IDX_FILES.testLabels });
  writeFolder('mismatch', { gz: true, trainLabels: 4 });
  writeFolder('missing', { gz: true, skip: IDX_FILES.testLabels });
  writeFolder('corrupt', { gz: true });
  const gz = readFileSync(join(root, 'corrupt', `${IDX_FILES.trainImages}.gz`));
  writeFileSync(join(root, 'corrupt', `${IDX_FILES.trainImages}.gz`), gz.subarray(0, gz.length - 20));

  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    try {
      const body = readFileSync(join(root, path));
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
      res.end(body);
    } catch {
      if (path.startsWith('/spa/')) {
        // Like a single-page-app dev server: any missing file answers 200 with the index page.
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<!doctype html><html><body>app</body></html>');
        return;
      }
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()));
  rmSync(root, { recursive: true, force: true });
});

describe('loadImageDataset over HTTP', () => {
  it('loads a gzipped Fashion-MNIST-like folder, scaling pixels to [0, 1]', async () => {
    const progress: number[] = [];
    const data = await loadImageDataset(`${baseUrl}/fashion-mnist/`, { onProgress: (f) => progress.push(f) });
    expect(data.name).toBe('fashion-mnist');
    expect(data.train.count).toBe(5);
    expect(data.test.count).toBe(3);
    expect(data.train.imageShape).toEqual([28, 28, 1]);
    expect(pixelsPerImage(data.train)).toBe(PIXELS);
    expect(data.train.images.length).toBe(5 * PIXELS);
    expect(Array.from(data.train.labels)).toEqual([0, 3, 6, 9, 2]);
    for (const [i, j] of [[0, 0], [1, 5], [4, 100], [2, 783]]) {
      expect(data.train.images[i * PIXELS + j]).toBeCloseTo(pixel(i, j) / 255, 6);
    }
    expect(Math.min(...data.train.images)).toBe(0);
    expect(Math.max(...data.train.images)).toBe(1);
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((f, k) => f >= 0 && f <= 1 && (k === 0 || f >= progress[k - 1]))).toBe(true);
    const first = takeFirst(data.train, 2);
    expect(first.count).toBe(2);
    expect(first.images.length).toBe(2 * PIXELS);
    expect(first.images.buffer).toBe(data.train.images.buffer);
  });

  it('falls back to plain files when the .gz answers 404', async () => {
    const data = await loadImageDataset(`${baseUrl}/plain`, { name: 'plain-set' });
    expect(data.name).toBe('plain-set');
    expect(data.train.count).toBe(5);
    expect(data.test.images[2 * PIXELS + 10]).toBeCloseTo(pixel(2, 10) / 255, 6);
  });

  it('falls back to plain files when the .gz answers with an HTML page (single-page-app server)', async () => {
    const data = await loadImageDataset(`${baseUrl}/spa/plain`);
    expect(data.train.count).toBe(5);
    const failure = await loadImageDataset(`${baseUrl}/spa/missing`).then(() => null, (err: Error) => err.message);
    // The web page leads; the list of every variant's names (some 400 characters) is left out.
    expect(failure).toMatch(/^No dataset found at http:\/\/[^ ]*\/spa\/missing: its t10k-labels-idx1-ubyte(\.gz)? looks like an HTML page, not an IDX file \(wrong URL.*\)\.$/); // the host named once
    expect(failure!.length).toBeLessThan(220);
  });

  it('explains a label count mismatch', async () => {
    await expect(loadImageDataset(`${baseUrl}/mismatch`)).rejects.toThrow(
      'the image file has 5 images but the label file has 4 labels',
    );
  });

  it('names a missing file', async () => {
    await expect(loadImageDataset(`${baseUrl}/missing`)).rejects.toThrow(
      /t10k-labels-idx1-ubyte.*404 Not Found/,
    );
  });

  it('explains a corrupt .gz', async () => {
    await expect(loadImageDataset(`${baseUrl}/corrupt`)).rejects.toThrow(
      /train-images-idx3-ubyte.*could not be decompressed/,
    );
  });
});

describe('fetchBytes', () => {
  it('reports byte progress up to the total', async () => {
    const calls: [number, number | null][] = [];
    const bytes = await fetchBytes(`${baseUrl}/plain/${IDX_FILES.trainImages}`, { onProgress: (l, t) => calls.push([l, t]) });
    expect(bytes.length).toBe(16 + 5 * PIXELS);
    expect(calls.at(-1)).toEqual([bytes.length, bytes.length]);
  });

  it('states the HTTP status', async () => {
    await expect(fetchBytes(`${baseUrl}/nothing-here`)).rejects.toThrow(
      `Could not download ${baseUrl}/nothing-here: the server answered 404 Not Found`,
    );
  });

  it('explains a network failure', async () => {
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    await expect(fetchBytes('http://example.invalid/x', { fetchImpl: failing })).rejects.toThrow(
      'Could not reach http://example.invalid/x; the server may be down or may not allow cross-origin requests.',
    );
  });
});

describe('loadDatasetFromDir (real MNIST)', () => {
  it('loads 60000 training and 10000 test images of 28x28', async () => {
    const data = await loadDatasetFromDir();
    expect(data.name).toBe('mnist');
    expect(data.train.count).toBe(60000);
    expect(data.test.count).toBe(10000);
    expect(data.train.imageShape).toEqual([28, 28, 1]);
    expect(data.test.imageShape).toEqual([28, 28, 1]);
    expect(Math.max(...data.train.labels)).toBe(9);
    expect(Math.min(...data.train.labels)).toBe(0);
    expect(Math.max(...data.test.labels)).toBe(9);
    let sum = 0;
    for (const v of data.train.images) sum += v;
    const mean = sum / data.train.images.length;
    expect(mean).toBeGreaterThan(0.12);
    expect(mean).toBeLessThan(0.14);
  });
});
