import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageDataset } from '../../src/core/data/dataset';
import { idxFileName, NAME_SCHEMES, schemeOfFileName, type IdxFileKey } from '../../src/core/data/file-names';
import { DatasetFitError, fitForInput } from '../../src/core/data/fit';
import { encodeIdx, parseIdxLabels } from '../../src/core/data/idx';
import { datasetLocation, folderDatasetName, loadImageDataset } from '../../src/core/data/load-dataset';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';

let root: string;
let server: Server;
let baseUrl: string;

/** `n` images of side `side` with a bright bar across row `3 + i % 5` (so a transposed copy shows a column instead). */
function barImages(n: number, side = 28, transpose = false): Uint8Array {
  const out = new Uint8Array(n * side * side);
  for (let i = 0; i < n; i++) {
    const row = 3 + (i % 5);
    for (let c = 0; c < side; c++) {
      const [r, k] = transpose ? [c, row] : [row, c];
      out[i * side * side + r * side + k] = 255;
    }
  }
  return encodeIdx([n, side, side], out);
}

/** Byte labels i * step % classes. */
const byteLabels = (n: number, classes: number, offset = 0) => encodeIdx([n], Uint8Array.from({ length: n }, (_, i) => offset + ((i * 7) % classes)));

/** QMNIST-style labels: int32 rows of 8 columns, the class first (big-endian, as IDX stores them). */
function intLabels(n: number, classes: number): Uint8Array {
  const out = new Uint8Array(4 + 8 + n * 8 * 4);
  const view = new DataView(out.buffer);
  out[2] = 0x0c;
  out[3] = 2;
  view.setUint32(4, n, false);
  view.setUint32(8, 8, false);
  for (let i = 0; i < n; i++) {
    view.setInt32(12 + i * 32, (i * 7) % classes, false);
    view.setInt32(12 + i * 32 + 4, 1000 + i, false); // writer id etc.: ignored
  }
  return out;
}

/** Writes one dataset's four files under the given names (gzipped unless `plain`). */
function writeSet(folder: string, names: Record<IdxFileKey, string>, files: Record<IdxFileKey, Uint8Array>, plain = false): void {
  const dir = join(root, folder);
  mkdirSync(dir, { recursive: true });
  for (const key of Object.keys(names) as IdxFileKey[]) {
    if (plain) writeFileSync(join(dir, names[key]), files[key]);
    else writeFileSync(join(dir, `${names[key]}.gz`), gzipSync(files[key]));
  }
}

const schemeNames = (prefix: string, test: 't10k' | 'test', labels = 'idx1-ubyte', separator = '-') =>
  Object.fromEntries(
    (['trainImages', 'trainLabels', 'testImages', 'testLabels'] as IdxFileKey[]).map((k) => [
      k,
      idxFileName({ prefix, test, separator: separator as '-' | '.', labels: labels as 'idx1-ubyte', transposed: false }, k),
    ]),
  ) as Record<IdxFileKey, string>;

const standardFiles = (classes: number, opts: { side?: number; transpose?: boolean; offset?: number } = {}) => ({
  trainImages: barImages(6, opts.side, opts.transpose),
  trainLabels: byteLabels(6, classes, opts.offset),
  testImages: barImages(4, opts.side, opts.transpose),
  testLabels: byteLabels(4, classes, opts.offset),
});

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vae-variants-'));
  writeSet('emnist', schemeNames('emnist-balanced-', 'test'), standardFiles(47, { transpose: true }));
  writeSet('all-emnist', schemeNames('emnist-balanced-', 'test'), standardFiles(47, { transpose: true }));
  writeSet('all-emnist', schemeNames('emnist-letters-', 'test'), standardFiles(26, { transpose: true, offset: 1 }));
  writeSet('kmnist', schemeNames('kmnist-', 'test'), standardFiles(10));
  writeSet('fashion', schemeNames('fashion-', 't10k'), standardFiles(10));
  writeSet('unpacked', schemeNames('', 't10k', 'idx1-ubyte', '.'), standardFiles(10), true);
  writeSet('qmnist', schemeNames('qmnist-', 'test', 'idx2-int'), { ...standardFiles(10), trainLabels: intLabels(6, 10), testLabels: intLabels(4, 10) });
  writeSet('big-images', schemeNames('', 't10k'), standardFiles(10, { side: 32 }));
  writeSet('many-labels', schemeNames('', 't10k'), { ...standardFiles(10), trainLabels: byteLabels(6, 10, 200) });
  writeSet('many-test-labels', schemeNames('', 't10k'), { ...standardFiles(10), testLabels: byteLabels(4, 10, 200) });
  writeSet('locked/FashionMNIST/raw', schemeNames('', 't10k'), standardFiles(10), true); // torchvision's layout, plain files
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = normalize(decodeURIComponent(url.pathname));
    if (path.startsWith('/locked/') && url.searchParams.get('token') !== 'abc') {
      res.writeHead(403).end('forbidden'); // a link that works only with its query, as shared-file links do
      return;
    }
    try {
      const body = readFileSync(join(root, path));
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()));
  rmSync(root, { recursive: true, force: true });
});

/** The row of the first bright pixel of image `i`. */
function barRow(d: ImageDataset, i: number): number {
  const [h, w] = d.imageShape;
  const first = d.images.subarray(i * h * w, (i + 1) * h * w).findIndex((v) => v === 1);
  return Math.floor(first / w);
}

describe('file names of MNIST variants', () => {
  it('reads the scheme from any of the four names, and writes the names back', () => {
    for (const scheme of NAME_SCHEMES) {
      for (const key of ['trainImages', 'trainLabels', 'testImages', 'testLabels'] as IdxFileKey[]) {
        const name = idxFileName(scheme, key);
        expect(schemeOfFileName(`${name}.gz`), name).toMatchObject(key.startsWith('test') || scheme.prefix !== 'qmnist-' ? { prefix: scheme.prefix, separator: scheme.separator } : {});
        expect(idxFileName(schemeOfFileName(name)!, key)).toBe(name);
      }
    }
    expect(schemeOfFileName('emnist-letters-train-images-idx3-ubyte.gz')).toEqual({ prefix: 'emnist-letters-', test: 'test', separator: '-', labels: 'idx1-ubyte', transposed: true });
    expect(schemeOfFileName('vae.json')).toBeNull();
    expect(datasetLocation('http://h/d/emnist/emnist-digits-test-labels-idx1-ubyte.gz')).toMatchObject({ base: 'http://h/d/emnist', scheme: { prefix: 'emnist-digits-' } });
    expect(datasetLocation('http://h/d/fashion/')).toEqual({ base: 'http://h/d/fashion', scheme: null, query: '' });
    expect(datasetLocation('http://h/d/q/qmnist-train-images-idx3-ubyte.gz?download=1#x')).toMatchObject({ base: 'http://h/d/q', scheme: { prefix: 'qmnist-' }, query: '?download=1' });
    expect(datasetLocation('http://h/d/fashion/?token=abc')).toEqual({ base: 'http://h/d/fashion', scheme: null, query: '?token=abc' });
    expect(folderDatasetName('/data/FashionMNIST/raw/')).toBe('FashionMNIST'); // torchvision's layout
    expect(folderDatasetName('KMNIST/processed')).toBe('KMNIST');
    expect(folderDatasetName('raw')).toBe('raw');
  });

  it('reads QMNIST int32 label rows by their first column, and refuses labels outside 0..255', () => {
    expect(Array.from(parseIdxLabels(intLabels(5, 10)).data)).toEqual([0, 7, 4, 1, 8]);
    const bad = intLabels(2, 10);
    new DataView(bad.buffer).setInt32(12 + 32, 300, false);
    expect(() => parseIdxLabels(bad, 'q')).toThrow('q gives example 1 the label 300; labels must be whole numbers from 0 to 255.');
  });
});

describe('loadImageDataset finds the variants', () => {
  it('EMNIST file names: found, named after the split, and each image turned back from its transposed storage', async () => {
    const data = await loadImageDataset(`${baseUrl}/emnist/`);
    expect(data.name).toBe('emnist-balanced');
    expect(data.train.count).toBe(6);
    expect(data.test.count).toBe(4);
    expect(Math.max(...data.train.labels)).toBe(35); // 5 * 7 % 47
    for (let i = 0; i < 4; i++) expect(barRow(data.test, i)).toBe(3 + (i % 5));
  });

  it('a URL naming one file picks that split of a folder holding several', async () => {
    const data = await loadImageDataset(`${baseUrl}/all-emnist/emnist-letters-train-images-idx3-ubyte.gz`);
    expect(data.name).toBe('emnist-letters');
    expect(Array.from(data.train.labels)).toEqual([0, 7, 14, 21, 2, 9]); // letters, labelled 1 to 26 in the files (1, 8, 15, ...), become 0 to 25 (class-names.ts)
  });

  it('KMNIST and Fashion-MNIST prefixes, test and t10k, QMNIST int labels, dotted unpacked names', async () => {
    for (const folder of ['kmnist', 'fashion', 'qmnist', 'unpacked']) {
      const data = await loadImageDataset(`${baseUrl}/${folder}`);
      expect(data.train.count, folder).toBe(6);
      expect(Array.from(data.test.labels), folder).toEqual([0, 7, 4, 1]);
      expect(barRow(data.train, 2), folder).toBe(5); // not transposed
    }
  });

  it('a folder without any of them: the message says in one short sentence which names were looked for', async () => {
    const failure = loadImageDataset(`${baseUrl}/no-such-folder/`);
    await expect(failure).rejects.toThrow(`No dataset found at ${baseUrl}/no-such-folder: it has no t10k-labels-idx1-ubyte (.gz or plain), nor the test labels of EMNIST, Fashion-MNIST, KMNIST or QMNIST under their own names (the server answered 404 Not Found).`);
    expect(((await failure.catch((e: Error) => e)) as Error).message.length).toBeLessThan(`No dataset found at ${baseUrl}/no-such-folder`.length + 200); // one sentence, not a list of every name
  });
});

describe('dataset URLs as people paste them', () => {
  it('keeps the query of a folder or file URL on every file, and names a torchvision raw/ folder after its parent', async () => {
    const folder = await loadImageDataset(`${baseUrl}/locked/FashionMNIST/raw?token=abc`);
    expect(folder.name).toBe('FashionMNIST');
    expect(folder.train.count).toBe(6);
    const file = await loadImageDataset(`${baseUrl}/locked/FashionMNIST/raw/t10k-labels-idx1-ubyte?token=abc`);
    expect([file.name, file.test.count]).toEqual(['FashionMNIST', 4]);
    await expect(loadImageDataset(`${baseUrl}/locked/FashionMNIST/raw`)).rejects.toThrow(/403/);
  });

  it('refuses an archive URL in one sentence, without downloading it', async () => {
    for (const name of ['gzip.zip', 'kmnist-train-imgs.npz', 'mnist.tar.gz', 'mnist.pkl']) {
      await expect(loadImageDataset(`${baseUrl}/nothing/${name}?dl=1`)).rejects.toThrow(
        `${name} is an archive, which this app does not read: unpack it and give the folder holding the four IDX files (such as train-images-idx3-ubyte.gz), or one of those files.`,
      );
    }
  });
});

describe('the CLI reads the same variants from a folder (loadDatasetFromDir, Node)', () => {
  it('EMNIST: found by its names, named after the split, each image turned back; a file of the dataset picks its split', async () => {
    const data = await loadDatasetFromDir(join(root, 'emnist'));
    expect(data.name).toBe('emnist-balanced');
    expect([data.train.count, data.test.count]).toEqual([6, 4]);
    for (let i = 0; i < 4; i++) expect(barRow(data.test, i)).toBe(3 + (i % 5));
    const letters = await loadDatasetFromDir(join(root, 'all-emnist', 'emnist-letters-train-images-idx3-ubyte.gz'));
    expect(letters.name).toBe('emnist-letters');
    expect(Array.from(letters.train.labels)).toEqual([0, 7, 14, 21, 2, 9]); // 1-26 in the files become 0-25
  });

  it('KMNIST and Fashion-MNIST prefixes, QMNIST int labels, dotted unpacked names; the folder names a dataset without a prefix', async () => {
    for (const folder of ['kmnist', 'fashion', 'qmnist', 'unpacked']) {
      const data = await loadDatasetFromDir(join(root, folder));
      expect(data.train.count, folder).toBe(6);
      expect(Array.from(data.test.labels), folder).toEqual([0, 7, 4, 1]);
      expect(barRow(data.train, 2), folder).toBe(5); // not transposed
    }
    expect((await loadDatasetFromDir(join(root, 'unpacked'))).name).toBe('unpacked');
    expect((await loadDatasetFromDir(join(root, 'locked/FashionMNIST/raw'))).name).toBe('FashionMNIST'); // torchvision's layout
  });

  it('a folder without any of them, or a file that is none of them: one sentence', async () => {
    mkdirSync(join(root, 'nothing'), { recursive: true });
    await expect(loadDatasetFromDir(join(root, 'nothing'))).rejects.toThrow(/^Could not find train-images-idx3-ubyte\.gz or train-images-idx3-ubyte in .*nothing \(nor the files of an MNIST variant/);
    writeFileSync(join(root, 'notes.txt'), 'x');
    await expect(loadDatasetFromDir(join(root, 'notes.txt'))).rejects.toThrow(/notes\.txt is neither a folder nor one of a dataset's IDX files/);
  });
});

describe('loadImageDataset checks the fit', () => {
  const fit = fitForInput(784);

  it('refuses images of another size in one sentence, before handing over the test split', async () => {
    let handedOver = false;
    const failure = loadImageDataset(`${baseUrl}/big-images`, { fit, onTestSplit: () => (handedOver = true) });
    await expect(failure).rejects.toThrow(DatasetFitError);
    await expect(failure).rejects.toThrow('The test split of big-images has 32x32 grey images, but the models here take 28x28 grey images.');
    expect(handedOver).toBe(false);
    // Without a fit to meet, the same folder loads.
    expect((await loadImageDataset(`${baseUrl}/big-images`)).train.imageShape).toEqual([32, 32, 1]);
  });

  it('refuses labels past the class limit, in either split', async () => {
    await expect(loadImageDataset(`${baseUrl}/many-labels`, { fit })).rejects.toThrow(
      'The training split of many-labels has labels up to 208, but the app shows at most 62 classes (labels 0 to 61).',
    );
    await expect(loadImageDataset(`${baseUrl}/many-test-labels`, { fit })).rejects.toThrow(/The test split of many-test-labels has labels up to/);
    const emnist = await loadImageDataset(`${baseUrl}/emnist`, { fit }); // 47 classes fit
    expect(emnist.test.count).toBe(4);
  });
});
