/**
 * The training CLI (`npm run train`) with bad inputs: the real script as a child process, and its
 * option table and output-folder check in-process. Every failure must be one plain line (bad usage:
 * plus the hint to --help), exit code 1 or 2, and come before any training starts.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { UsageError } from '../../scripts/lib/cli';
import { encodeIdx } from '../../src/core/data/idx';
import { prepareOutputDir } from '../../scripts/lib/output-dir';
import { configOverrides, parseTrainArgs, TRAIN_OPTIONS, trainUsage } from '../../scripts/lib/train-options';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HINT = 'Run npm run train -- --help for every option.';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs node with tsx's loader in the repository root. */
function node(args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: { ...process.env, VAE_DEBUG: '' } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

const train = (...args: string[]) => node(['scripts/train.ts', ...args]);

/** One plain sentence (bad usage: and the hint): short, no source code, no stack, nothing on stdout. */
function expectPlainFailure(run: Run, code: 1 | 2, message: RegExp) {
  expect(run.code, run.stderr).toBe(code);
  expect(run.stdout).toBe(''); // no training line, no JSON: it stopped before training
  expect(run.stderr.length).toBeLessThan(400);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(message);
  expect(lines.slice(1)).toEqual(code === 2 ? [HINT] : []); // --help does not mend missing data or a full disk
  expect(run.stderr).not.toMatch(/training /); // no training header: nothing started
  expect(run.stderr).not.toMatch(/function\s*\(|=>|var \w+=|node_modules|\n\s+at /);
}

let tmp: string;

/** A folder of the four MNIST-layout files (gzipped) of `side`x`side` images, 40 train and 20 test, labels from `label`. */
async function idxFolder(name: string, side: number, label: (i: number) => number): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(dir, { recursive: true });
  const images = (n: number) => encodeIdx([n, side, side], Uint8Array.from({ length: n * side * side }, (_, i) => ((i * 13) % 7 < 2 ? 255 : 0)));
  const labels = (n: number) => encodeIdx([n], Uint8Array.from({ length: n }, (_, i) => label(i)));
  const files = { 'train-images-idx3-ubyte': images(40), 'train-labels-idx1-ubyte': labels(40), 't10k-images-idx3-ubyte': images(20), 't10k-labels-idx1-ubyte': labels(20) };
  for (const [file, bytes] of Object.entries(files)) await writeFile(join(dir, `${file}.gz`), gzipSync(bytes));
  return dir;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vae-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe.concurrent('npm run train with bad inputs', () => {
  it('a --data folder that does not exist: exit 1', async () => {
    expectPlainFailure(await train('--data', join(tmp, 'no-such-folder')), 1, /data path .*no-such-folder does not exist/);
  });

  it('a --data folder without the IDX files: exit 1', async () => {
    const empty = join(tmp, 'empty-data');
    await prepareOutputDir(empty);
    expectPlainFailure(await train('--data', empty), 1, /Could not find .*-ubyte\.gz or .*-ubyte in .*empty-data \(nor the files of an MNIST variant, such as emnist-letters-train-images-idx3-ubyte\.gz\)\./);
  });

  it('an --out under /proc is refused before anything is written: exit 2', async () => {
    expectPlainFailure(await train('--out', '/proc/vae-cli-out', '--epochs', '1'), 2, /--out \/proc\/vae-cli-out is inside \/proc/);
  });

  it('an --out whose parent is a regular file (fails for root too): exit 1, the file untouched', async () => {
    const file = join(tmp, 'a-file');
    await writeFile(file, 'keep me');
    expectPlainFailure(await train('--out', join(file, 'weights')), 1, /Cannot create the output folder .*a-file\/weights: part of the path is a file/);
    expect(await readFile(file, 'utf8')).toBe('keep me');
  });

  it('an --out that is a file: exit 1', async () => {
    const file = join(tmp, 'out-file');
    await writeFile(file, '');
    expectPlainFailure(await train('--out', file), 1, /out-file is a file, not a folder/);
  });

  it('--hidden 512,,256 is refused, not trained as 512,256: exit 2', async () => {
    expectPlainFailure(await train('--hidden', '512,,256'), 2, /--hidden has an empty item at position 2 in "512,,256"/);
  });

  it('an unknown option: exit 2', async () => {
    expectPlainFailure(await train('--epoch', '3'), 2, /^Unknown option --epoch\.$/);
  });

  it('a negative --epochs (read as a value, not as an option): exit 2', async () => {
    expectPlainFailure(await train('--epochs', '-1'), 2, /--epochs must be a whole number of 0 or more; got "-1"/);
  });

  // The app's fit (core/data/fit.ts): what the CLI trains, the app opens; a shape the models cannot
  // take was a tensor-shape error from inside tfjs after the training header.
  it('a --data folder of 32x32 images: the same sentence as the app, exit 1', async () => {
    const data = await idxFolder('shape32', 32, () => 3);
    expectPlainFailure(await train('--data', data, '--epochs', '1'), 1, /^The (test|training) split of shape32 has 32x32 grey images, but the models here take 28x28 grey images\.$/);
    expectPlainFailure(await train('--data', join(data, 'train-images-idx3-ubyte.gz'), '--epochs', '0'), 1, /has 32x32 grey images/);
  });

  it('a --data folder with labels up to 99: the same sentence as the app, exit 1', async () => {
    const data = await idxFolder('labels99', 28, (i) => (i * 7) % 100);
    expectPlainFailure(await train('--data', data, '--epochs', '1', '--conditional'), 1, /^The (test|training) split of labels99 has labels up to 9[0-9], but the app shows at most 62 classes/);
  });

  it('--latent outside what the app opens, with --out: refused before training, exit 2', async () => {
    const out = join(tmp, 'latent-100');
    expectPlainFailure(await train('--latent', '100', '--out', out), 2, /^--latent 100 trains, but the app opens only 2 to 64 \(.*\), so it could not open what --out writes/);
    await expect(readdir(out)).rejects.toThrow(); // nothing written
    expectPlainFailure(await train('--latent', '1', '--out', out), 2, /^--latent 1 trains, but the app opens only 2 to 64/);
  });

  it('--help lists every option and exits 0', async () => {
    const run = await train('--help');
    expect(run.code).toBe(0);
    for (const name of Object.keys(TRAIN_OPTIONS)) expect(run.stdout).toContain(`--${name}`);
  });
});

describe('npm run train on an MNIST variant', () => {
  it('a folder of EMNIST letters under their own names trains a CVAE over the 26 letters and saves it', async () => {
    const data = join(tmp, 'emnist');
    await rm(data, { recursive: true, force: true });
    await mkdir(data, { recursive: true });
    const images = (n: number) => encodeIdx([n, 28, 28], Uint8Array.from({ length: n * 784 }, (_, i) => ((i * 37) % 11 < 3 ? 255 : 0)));
    const labels = (n: number) => encodeIdx([n], Uint8Array.from({ length: n }, (_, i) => 1 + ((i * 5) % 26))); // letters are 1-26 in the files
    const files = { 'train-images-idx3-ubyte': images(16), 'train-labels-idx1-ubyte': labels(16), 'test-images-idx3-ubyte': images(8), 'test-labels-idx1-ubyte': labels(8) };
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(data, `emnist-letters-${name}.gz`), gzipSync(bytes));
    const out = join(tmp, 'letters-cvae');
    const run = await train('--data', data, '--conditional', '--epochs', '1', '--batch', '8', '--hidden', '8', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/training a conditional 784-8-2 on emnist-letters \(16 train, 8 test\)/);
    const manifest = JSON.parse(await readFile(join(out, 'vae.json'), 'utf8'));
    expect(manifest).toMatchObject({ conditional: true, classes: 26, dataset: 'emnist-letters' });
  });
});

describe.concurrent('errors after the wasm backend started', () => {
  // tfjs-backend-wasm's Emscripten module rethrows from its process handlers, which made Node print
  // its 39 kB source line and exit 7. runCli's handlers come first, for stray rejections too.
  const script = (body: string) => [
    '--input-type=module',
    '-e',
    `import { runCli } from './scripts/lib/cli.ts';
     import { initNodeBackend } from './scripts/lib/tf-node.ts';
     await runCli(async () => { await initNodeBackend('wasm'); ${body} }, '${HINT}');`,
  ];

  it('an error thrown by main: one line, exit 1', async () => {
    expectPlainFailure(await node(script(`throw new Error('Broke after start');`)), 1, /^Broke after start\.$/);
  });

  it('a rejection nobody awaited: one line, exit 1', async () => {
    const body = `Promise.reject(new Error('Stray rejection')); await new Promise((r) => setTimeout(r, 60000));`;
    expectPlainFailure(await node(script(body)), 1, /^Stray rejection\.$/);
  });
});

describe('parseTrainArgs', () => {
  it('reads the defaults and typed values', () => {
    const args = parseTrainArgs(['--hidden', '400', '--lr=1e-3', '--binarize', '--likelihood', 'gaussian', '--out', 'runs/x']);
    expect(args).toMatchObject({ hidden: [400], lr: 0.001, binarize: true, likelihood: 'gaussian', out: 'runs/x', epochs: 10, latent: 2 });
    expect(parseTrainArgs([]).hidden).toEqual([512, 256]);
    expect(parseTrainArgs([]).out).toBeUndefined();
  });

  it.each([
    [['--hidden', '512,,256'], /empty item at position 2/],
    [['--hidden', '512,abc'], /"abc" in "512,abc" is not/],
    [['--hidden', '0'], /"0" in "0" is not/],
    [['--hidden', '-5'], /"-5" in "-5" is not/],
    [['--hidden', '512,'], /empty item at position 2/],
    [['--hidden', '1.5'], /"1.5"/],
    [['--hidden', ''], /needs at least one layer size/],
    [['--hidden', '5000'], /from 1 to 4096/],
    [['--lr', 'abc'], /--lr must be a number above 0 and below 1; got "abc"/],
    [['--lr', '0x1'], /--lr must be a number/],
    [['--lr', 'Infinity'], /--lr must be a number/],
    [['--beta', '-0.5'], /--beta must be a number 0 or more/],
    [['--epochs', '-1'], /--epochs must be a whole number of 0 or more/],
    [['--epochs', '2.5'], /--epochs must be a whole number/],
    [['--epochs', ''], /--epochs must be a whole number/],
    [['--epochs'], /--epochs needs a value/],
    [['--out', '--epochs', '3'], /--out needs a value/],
    [['--out', ''], /--out needs a folder/],
    [['--likelihood', 'poisson'], /--likelihood must be bernoulli or gaussian/],
    [['--backend', 'webgl'], /--backend must be wasm or cpu/],
    [['--bogus'], /^Unknown option --bogus\.$/],
    [['-e', '3'], /^Unknown option -e\.$/],
    [['--binarize=yes'], /--binarize is a switch/],
    [['--arch', 'conv', '--hidden', '64'], /^--hidden sets the MLP's hidden layers; the conv family's layers are fixed/],
    [['extra'], /Unexpected argument "extra"/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseTrainArgs(argv)).toThrow(UsageError);
    expect(() => parseTrainArgs(argv)).toThrow(message);
  });

  it('--arch conv and --conditional choose the family and the conditional variant (issue 12); the defaults are the plain MLP', () => {
    expect(configOverrides(parseTrainArgs(['--arch', 'conv', '--conditional', '--latent', '16']))).toMatchObject({ family: 'conv', conditional: true, latentDim: 16 });
    expect(configOverrides(parseTrainArgs([]))).toMatchObject({ family: 'mlp', conditional: false });
    expect(() => parseTrainArgs(['--arch', 'rnn'])).toThrow(/--arch must be mlp or conv/);
    expect(() => parseTrainArgs(['--conditional=1'])).toThrow(/--conditional is a switch/);
  });

  it('the help has a line per option', () => {
    const lines = trainUsage().split('\n');
    for (const name of Object.keys(TRAIN_OPTIONS)) expect(lines.some((l) => l.trimStart().startsWith(`--${name}`))).toBe(true);
  });
});

describe('prepareOutputDir', () => {
  it('creates nested folders and leaves no probe file behind', async () => {
    const dir = join(tmp, 'nested', 'out');
    expect(await prepareOutputDir(dir)).toBe(dir);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses /sys and /dev, and a symbolic link that leads into /proc', async () => {
    await expect(prepareOutputDir('/sys/vae')).rejects.toThrow(/inside \/sys/);
    await expect(prepareOutputDir('/dev/shm/../vae')).rejects.toThrow(/inside \/dev/);
    const link = join(tmp, 'proc-link');
    await symlink('/proc/self', link);
    await expect(prepareOutputDir(join(link, 'out'))).rejects.toThrow(/inside \/proc/);
  });
});
