/**
 * Loads an MNIST-layout dataset from a local folder in Node, through the same parser as the browser
 * and under the same file names (src/core/data/file-names.ts): MNIST's own, and the variants'
 * (EMNIST's `emnist-<split>-…`, whose images are stored transposed; QMNIST's; `fashion-`, `kmnist-`…).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatasetSplits } from '../../src/core/data/dataset';
import type { DatasetFit } from '../../src/core/data/fit';
import { IDX_FILE_KEYS, idxFileName, idxFileNames, MNIST_NAMES, NAME_SCHEMES, schemeOfFileName, type NameScheme } from '../../src/core/data/file-names';
import { decodeSplits, folderDatasetName, type IdxFileKey } from '../../src/core/data/load-dataset';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The folder where `scripts/prepare-data.mjs` puts the gzipped MNIST files. */
export function defaultMnistDir(): string {
  return join(repoRoot, 'public', 'data', 'mnist');
}

/**
 * Reads the four IDX files (`<file>.gz` or plain `<file>`) of a dataset into train and test splits.
 * `path` is the folder (the first naming scheme whose test labels it holds is used, MNIST's first) or
 * one of the dataset's files, which picks its scheme (`emnist-letters-train-images-idx3-ubyte.gz` in
 * a folder holding all of EMNIST). The name defaults to the files' prefix ("emnist-letters"), else the
 * folder's name. Throws one plain sentence when the path or a file is missing or unreadable, or (with
 * `fit`) when the data does not fit the models (DatasetFitError: its image size, its labels).
 */
export async function loadDatasetFromDir(path: string = defaultMnistDir(), name?: string, fit?: DatasetFit): Promise<DatasetSplits> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new Error(`The data path ${path} does not exist.${prepareHint(path)}`);
  const named = info.isDirectory() ? null : schemeOfFileName(basename(path));
  if (!info.isDirectory() && !named) throw new Error(`The data path ${path} is neither a folder nor one of a dataset's IDX files (such as train-images-idx3-ubyte.gz).`);
  const dir = named ? dirname(path) : path;
  const found = named ?? (await schemeInFolder(dir));
  const scheme = found ?? MNIST_NAMES; // none found: the error names MNIST's files
  const names = idxFileNames(scheme);
  // Every file is read before any failure is thrown, so the one named is always the first in order (not the first to fail).
  const settled = await Promise.allSettled(IDX_FILE_KEYS.map((key) => readIdxFile(dir, names[key], found === null)));
  const raw = settled.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
  const files = Object.fromEntries(IDX_FILE_KEYS.map((k, i) => [k, raw[i]])) as Record<IdxFileKey, Uint8Array>;
  const datasetName = name ?? (scheme.prefix.replace(/-$/, '') || folderDatasetName(resolve(dir)));
  return decodeSplits(files, datasetName, `${dir}/`, undefined, { names, transposed: scheme.transposed, fit });
}

/** The first naming scheme whose test labels (`.gz` or plain) are in `dir`, or null. */
async function schemeInFolder(dir: string): Promise<NameScheme | null> {
  const present = new Set(await readdir(dir).catch(() => [] as string[]));
  return NAME_SCHEMES.find((s) => [`${idxFileName(s, 'testLabels')}.gz`, idxFileName(s, 'testLabels')].some((f) => present.has(f))) ?? null;
}

async function readIdxFile(dir: string, file: string, noSchemeFound: boolean): Promise<Uint8Array> {
  for (const candidate of [`${file}.gz`, file]) {
    try {
      return new Uint8Array(await readFile(join(dir, candidate)));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new Error(`Could not read ${join(dir, candidate)} (${code ?? (err as Error).message}).`);
    }
  }
  const variants = noSchemeFound ? ' (nor the files of an MNIST variant, such as emnist-letters-train-images-idx3-ubyte.gz)' : '';
  throw new Error(`Could not find ${file}.gz or ${file} in ${dir}${variants}.${prepareHint(dir)}`);
}

function prepareHint(dir: string): string {
  return resolve(dir) === defaultMnistDir() ? ' Run `node scripts/prepare-data.mjs` to prepare it.' : '';
}
