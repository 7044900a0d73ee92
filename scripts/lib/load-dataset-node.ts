/** Loads an MNIST-layout dataset from a local folder in Node, through the same parser as the browser. */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatasetSplits } from '../../src/core/data/dataset';
import { decodeSplits, IDX_FILES, type IdxFileKey } from '../../src/core/data/load-dataset';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The folder where `scripts/prepare-data.mjs` puts the gzipped MNIST files. */
export function defaultMnistDir(): string {
  return join(repoRoot, 'public', 'data', 'mnist');
}

/** Reads the four IDX files (`<file>.gz` or plain `<file>`) from `dir` into train and test splits. */
export async function loadDatasetFromDir(dir: string = defaultMnistDir(), name?: string): Promise<DatasetSplits> {
  const info = await stat(dir).catch(() => null);
  if (!info) throw new Error(`The data folder ${dir} does not exist.${prepareHint(dir)}`);
  if (!info.isDirectory()) throw new Error(`The data folder ${dir} is a file, not a folder.`);
  const keys = Object.keys(IDX_FILES) as IdxFileKey[];
  const raw = await Promise.all(keys.map((key) => readIdxFile(dir, IDX_FILES[key])));
  const files = Object.fromEntries(keys.map((k, i) => [k, raw[i]])) as Record<IdxFileKey, Uint8Array>;
  return decodeSplits(files, name ?? basename(resolve(dir)), `${dir}/`);
}

async function readIdxFile(dir: string, file: string): Promise<Uint8Array> {
  for (const candidate of [`${file}.gz`, file]) {
    try {
      return new Uint8Array(await readFile(join(dir, candidate)));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new Error(`Could not read ${join(dir, candidate)} (${code ?? (err as Error).message}).`);
    }
  }
  throw new Error(`Could not find ${file}.gz or ${file} in ${dir}.${prepareHint(dir)}`);
}

function prepareHint(dir: string): string {
  return resolve(dir) === defaultMnistDir() ? ' Run `node scripts/prepare-data.mjs` to prepare it.' : '';
}
