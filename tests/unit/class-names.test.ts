/**
 * Class names of known datasets and the class count from the labels (issue 12.5): the tables, the
 * dataset recognised from its name, and real IDX folders (built here, served over HTTP) loaded as the
 * app loads them: Fashion-MNIST under MNIST's names in a fashion-mnist folder, EMNIST letters (labels
 * 1-26 in the files), EMNIST byclass's 62 classes, and an unknown 12-class folder.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { areDigits, CLASS_NAMES, classNamesFor, classNamesOf, knownDataset, labelCount, shiftLetterLabels } from '../../src/core/data/class-names';
import { idxFileNames, MNIST_NAMES, type IdxFileKey } from '../../src/core/data/file-names';
import { fitForInput } from '../../src/core/data/fit';
import { encodeIdx } from '../../src/core/data/idx';
import { loadImageDataset } from '../../src/core/data/load-dataset';

describe('class names of known datasets', () => {
  it('recognises the datasets by the names load-dataset gives them (file prefix or folder)', () => {
    const cases: [string, string | null][] = [
      ['mnist', 'digits'], ['qmnist', 'digits'], ['emnist-digits', 'digits'], ['emnist-mnist', 'digits'], ['MNIST', 'digits'],
      ['fashion', 'fashion'], ['fashion-mnist', 'fashion'], ['FashionMNIST', 'fashion'],
      ['kmnist', 'kmnist'], ['KMNIST', 'kmnist'],
      ['emnist-letters', 'emnist-letters'], ['emnist-balanced', 'emnist-balanced'], ['emnist-bymerge', 'emnist-balanced'], ['emnist-byclass', 'emnist-byclass'],
      ['emnist', null], ['raw', null], ['my-letters', null], ['cifar', null],
    ];
    for (const [name, kind] of cases) expect(knownDataset(name), name).toBe(kind);
  });

  it("has the standard tables: Fashion's ten, KMNIST's hiragana, a-z, EMNIST's 47 and 62", () => {
    expect(classNamesFor('fashion-mnist', 10)).toEqual(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
    expect(classNamesFor('kmnist', 10).map((n) => n[0]).join('')).toBe('おきすつなはまやれを');
    expect(classNamesFor('kmnist', 10)[9]).toBe('を (wo)');
    expect(classNamesFor('emnist-letters', 26).join('')).toBe('abcdefghijklmnopqrstuvwxyz');
    const balanced = classNamesFor('emnist-balanced', 47);
    expect(balanced).toHaveLength(47);
    expect(balanced.slice(0, 10).join('')).toBe('0123456789');
    expect(balanced.slice(10, 36).join('')).toBe('ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    expect(balanced.slice(36).join(' ')).toBe('a b d e f g h n q r t');
    expect(classNamesFor('emnist-bymerge', 47)).toEqual(balanced);
    const byclass = classNamesFor('emnist-byclass', 62);
    expect([byclass[0], byclass[10], byclass[35], byclass[36], byclass[61]]).toEqual(['0', 'A', 'Z', 'a', 'z']);
    for (const names of Object.values(CLASS_NAMES)) expect(new Set(names).size).toBe(names.length); // no two classes share a name
  });

  it("counts the known dataset's classes when the labels fit in it, else the largest label + 1 with generic names", () => {
    expect(classNamesFor('fashion', 4)).toHaveLength(10); // a subset still has Fashion's ten classes
    expect(classNamesFor('mnist', 10)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(classNamesFor('fashion', 12)).toEqual(Array.from({ length: 12 }, (_, i) => `class ${i}`)); // labels beyond the table
    expect(classNamesFor('my-data', 3)).toEqual(['class 0', 'class 1', 'class 2']);
    expect(areDigits(classNamesFor('qmnist', 10))).toBe(true);
    expect(areDigits(classNamesFor('my-data', 10))).toBe(false);
    expect(areDigits(classNamesFor('fashion', 10))).toBe(false);
    expect(labelCount(Uint8Array.of(3, 0, 5), Uint8Array.of(11))).toBe(12);
    expect(labelCount()).toBe(0);
  });

  it("shifts EMNIST letters' labels 1-26 to 0-25, and nothing else", () => {
    const letters = Uint8Array.of(1, 26, 5);
    expect(shiftLetterLabels('emnist-letters', letters)).toBe(true);
    expect(Array.from(letters)).toEqual([0, 25, 4]);
    const withZero = Uint8Array.of(0, 3);
    expect(shiftLetterLabels('emnist-letters', withZero)).toBe(false); // already 0-based
    expect(Array.from(withZero)).toEqual([0, 3]);
    const other = Uint8Array.of(1, 2);
    expect(shiftLetterLabels('emnist-balanced', other)).toBe(false);
    expect(Array.from(other)).toEqual([1, 2]);
  });
});

let root: string;
let server: Server;
let baseUrl: string;

/** `n` random 28x28 images, and labels cycling through `from`..`from + classes - 1` (every class present). */
function files(trainCount: number, testCount: number, classes: number, from = 0): Record<IdxFileKey, Uint8Array> {
  const images = (n: number) => encodeIdx([n, 28, 28], Uint8Array.from({ length: n * 784 }, (_, i) => (i * 37) % 256));
  const labels = (n: number) => encodeIdx([n], Uint8Array.from({ length: n }, (_, i) => from + (i % classes)));
  return { trainImages: images(trainCount), trainLabels: labels(trainCount), testImages: images(testCount), testLabels: labels(testCount) };
}

function writeSet(folder: string, names: Record<IdxFileKey, string>, data: Record<IdxFileKey, Uint8Array>): void {
  const dir = join(root, folder);
  mkdirSync(dir, { recursive: true });
  for (const key of Object.keys(names) as IdxFileKey[]) writeFileSync(join(dir, `${names[key]}.gz`), gzipSync(data[key]));
}

const emnistNames = (split: string) => idxFileNames({ ...MNIST_NAMES, prefix: `emnist-${split}-`, test: 'test', transposed: true });

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vae-classes-'));
  writeSet('fashion-mnist', idxFileNames(MNIST_NAMES), files(20, 10, 10));
  writeSet('emnist', emnistNames('letters'), files(52, 26, 26, 1));
  writeSet('emnist', emnistNames('byclass'), files(124, 62, 62));
  writeSet('my-data', idxFileNames(MNIST_NAMES), files(24, 12, 12));
  server = createServer((req, res) => {
    try {
      const body = readFileSync(join(root, normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))));
      res.writeHead(200, { 'Content-Length': body.length }).end(body);
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

describe('class names of loaded IDX folders', () => {
  const fit = fitForInput(784);

  it("Fashion-MNIST under MNIST's file names, in a folder named fashion-mnist", async () => {
    const splits = await loadImageDataset(`${baseUrl}/fashion-mnist/`, { fit });
    expect(splits.name).toBe('fashion-mnist');
    expect(classNamesOf(splits)[0]).toBe('T-shirt/top');
    expect(classNamesOf(splits)).toHaveLength(10);
  });

  it('EMNIST letters: labels 1-26 in the files become 0-25, named a to z', async () => {
    const splits = await loadImageDataset(`${baseUrl}/emnist/emnist-letters-test-labels-idx1-ubyte.gz`, { fit });
    expect(splits.name).toBe('emnist-letters');
    expect(Math.min(...splits.train.labels)).toBe(0);
    expect(Math.max(...splits.train.labels, ...splits.test.labels)).toBe(25);
    expect(classNamesOf(splits).join('')).toBe('abcdefghijklmnopqrstuvwxyz');
  });

  it("EMNIST byclass's 62 classes, and an unknown folder's 12 generic ones", async () => {
    const byclass = await loadImageDataset(`${baseUrl}/emnist/emnist-byclass-train-images-idx3-ubyte.gz`, { fit });
    expect(classNamesOf(byclass)).toHaveLength(62);
    expect(classNamesOf(byclass)[61]).toBe('z');
    const mine = await loadImageDataset(`${baseUrl}/my-data/`, { fit });
    expect(classNamesOf(mine)).toEqual(Array.from({ length: 12 }, (_, i) => `class ${i}`));
  });
});
