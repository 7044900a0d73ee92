/** Loading an image dataset in the MNIST layout (four IDX files, plain or gzipped) from a folder URL. */
import type { DatasetSplits, ImageDataset } from './dataset';
import type { DownloadLimits } from './fetch-bytes';
import { fetchIdxFile, findNames, type FoundNames } from './fetch-idx';
import { IDX_FILE_KEYS, idxFileName, idxFileNames, MNIST_NAMES, schemeOfFileName, type IdxFileKey, type NameScheme } from './file-names';
import { shiftLetterLabels } from './class-names';
import { checkFit, type DatasetFit } from './fit';
import { parseIdx, parseIdxLabels, type IdxArray } from './idx';
import { inflateIdx } from './inflate-idx';

export type { IdxFileKey } from './file-names';

/** The four files of the MNIST layout (Fashion-MNIST uses the same names; file-names.ts has the variants'). */
export const IDX_FILES: Readonly<Record<IdxFileKey, string>> = idxFileNames(MNIST_NAMES);

/** Options of `loadImageDataset`. */
export interface LoadDatasetOptions {
  /** Dataset name; defaults to the files' prefix (e.g. "emnist-letters") or the last folder of the URL. */
  name?: string;
  /** Replacement for the global `fetch`. */
  fetchImpl?: typeof fetch;
  /** Overall progress in [0, 1] with a short message. */
  onProgress?: (fraction: number, message: string) => void;
  /** Aborts all downloads. */
  signal?: AbortSignal;
  /** Other limits for a stalled or trickling server than core/net's defaults (tests use short ones). */
  limits?: Partial<DownloadLimits>;
  /** Called with the test split as soon as its two (small) files are in, before the training split arrives. */
  onTestSplit?: (test: ImageDataset) => void;
  /** What the images and labels must be like to be used; checked on each split before it is handed over. */
  fit?: DatasetFit;
}

/** How the four decoded files are read. */
export interface DecodeOptions {
  /** The files' names, for messages (default: MNIST's). */
  names?: Record<IdxFileKey, string>;
  /** Each image is stored transposed (EMNIST): turn it back. */
  transposed?: boolean;
  /** Check each split against this (DatasetFitError when it does not fit). */
  fit?: DatasetFit;
}

const KEYS = IDX_FILE_KEYS;
// Share of each file in the total download, used until the real sizes are known (MNIST proportions).
const DEFAULT_WEIGHTS: Record<IdxFileKey, number> = { trainImages: 0.84, trainLabels: 0.01, testImages: 0.14, testLabels: 0.01 };
const DOWNLOAD_SHARE = 0.95;

/** Archives a dataset is often downloaded as, which this app does not unpack. */
const ARCHIVE = /\.(zip|npz|npy|tar|tgz|tar\.gz|7z|rar|pkl|pickle|pt|mat|h5|csv)$/i;

/**
 * The folder of a dataset URL, the naming scheme when the URL names one of its files
 * (`.../emnist-letters-train-images-idx3-ubyte.gz` picks the letters split of a folder holding all of
 * EMNIST), and the URL's query (`?download=1`, a token), which every file's URL keeps. Throws one
 * sentence for the URL of an archive (`gzip.zip`, `kmnist-train-imgs.npz`), which is not read here.
 */
export function datasetLocation(url: string): { base: string; scheme: NameScheme | null; query: string } {
  const at = url.search(/[?#]/);
  const query = at >= 0 ? url.slice(at).replace(/#.*$/, '') : '';
  const trimmed = (at >= 0 ? url.slice(0, at) : url).replace(/\/+$/, '');
  const cut = trimmed.lastIndexOf('/');
  const last = trimmed.slice(cut + 1);
  if (ARCHIVE.test(last)) {
    throw new Error(
      `${last} is an archive, which this app does not read: unpack it and give the folder holding the four IDX files (such as train-images-idx3-ubyte.gz), or one of those files.`,
    );
  }
  const scheme = schemeOfFileName(last);
  return scheme ? { base: cut >= 0 ? trimmed.slice(0, cut) : '', scheme, query } : { base: trimmed, scheme: null, query };
}

/** A dataset's name from its folder: the last part of the path, past torchvision's `raw` and `processed` (`FashionMNIST/raw`). */
export function folderDatasetName(path: string): string {
  const parts = path.split(/[\\/]+/).filter((p) => p && p !== '.');
  while (parts.length > 1 && /^(raw|processed)$/i.test(parts[parts.length - 1])) parts.pop();
  return parts.at(-1) ?? 'dataset';
}

/**
 * Downloads and decodes the four IDX files under `baseUrl` (each `<file>.gz`, else `<file>`), under
 * MNIST's names or a variant's (file-names.ts), found from the test labels unless the URL names a file.
 */
export async function loadImageDataset(baseUrl: string, opts: LoadDatasetOptions = {}): Promise<DatasetSplits> {
  const { base, scheme: named, query } = datasetLocation(baseUrl);
  const report = opts.onProgress ?? (() => undefined);
  const loaded = { trainImages: 0, trainLabels: 0, testImages: 0, testLabels: 0 };
  const totals: Record<IdxFileKey, number | null> = { trainImages: null, trainLabels: null, testImages: null, testLabels: null };
  let shown = 0;
  const update = (key: IdxFileKey, got: number, total: number | null) => {
    loaded[key] = got;
    totals[key] = total;
    const allKnown = KEYS.every((k) => totals[k] !== null);
    const sum = allKnown ? KEYS.reduce((s, k) => s + (totals[k] ?? 0), 0) : 0;
    let fraction = 0;
    for (const k of KEYS) {
      const t = totals[k];
      const part = t ? loaded[k] / t : 0;
      fraction += part * (allKnown && sum > 0 ? (t ?? 0) / sum : DEFAULT_WEIGHTS[k]);
    }
    shown = Math.max(shown, Math.min(fraction, 1) * DOWNLOAD_SHARE);
    const mb = KEYS.reduce((s, k) => s + loaded[k], 0) / 1e6;
    report(shown, `Downloading ${base || 'dataset'}: ${mb.toFixed(1)} MB`);
  };

  const controller = new AbortController();
  const onAbort = () => controller.abort();
  if (opts.signal?.aborted) controller.abort();
  opts.signal?.addEventListener('abort', onAbort);
  try {
    report(0, `Downloading ${base || 'dataset'}`);
    const fetchOptions = { fetchImpl: opts.fetchImpl, signal: controller.signal, limits: opts.limits, query };
    const progressOf = (key: IdxFileKey) => (got: number, total: number | null) => update(key, got, total);
    const found: Promise<FoundNames | { scheme: NameScheme; testLabels: null }> = named
      ? Promise.resolve({ scheme: named, testLabels: null })
      : findNames(base, progressOf('testLabels'), fetchOptions);
    const downloads = KEYS.map((key) =>
      found.then(({ scheme, testLabels }) =>
        key === 'testLabels' && testLabels ? testLabels : fetchIdxFile(base, idxFileName(scheme, key), progressOf(key), fetchOptions),
      ),
    );
    const where = base ? `${base}/` : '';
    const decoding = found.then(({ scheme }) => ({
      name: opts.name ?? (scheme.prefix.replace(/-$/, '') || folderDatasetName(base.replace(/^[a-z]+:\/\/[^/]*/i, ''))),
      options: { names: idxFileNames(scheme), transposed: scheme.transposed, fit: opts.fit },
    }));
    decoding.catch(() => undefined); // awaited below, after the downloads, which report the same failure
    // The test split first; when it cannot be used, the other downloads stop and its error is the one thrown.
    let earlyError: unknown = null;
    const early = opts.onTestSplit
      ? Promise.all([decoding, downloads[KEYS.indexOf('testImages')], downloads[KEYS.indexOf('testLabels')]])
          .then(async ([{ name, options }, images, labels]) => {
            const test = await decodeTestSplit(images, labels, name, where, options);
            opts.onTestSplit?.(test);
            return test;
          })
          .catch((err: unknown) => {
            earlyError = err;
            controller.abort();
            return undefined;
          })
      : Promise.resolve(undefined);
    const raw = await Promise.all(downloads).catch((err: unknown) => {
      controller.abort();
      throw earlyError ?? err;
    });
    const { name, options } = await decoding;
    report(DOWNLOAD_SHARE, 'Decoding');
    const files = Object.fromEntries(KEYS.map((k, i) => [k, raw[i]])) as Record<IdxFileKey, Uint8Array>;
    const splits = await decodeSplits(files, name, where, await early, options);
    report(1, `Loaded ${splits.train.count} training and ${splits.test.count} test images`);
    return splits;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

async function parseFile(bytes: Uint8Array, key: IdxFileKey, where: string, names: Record<IdxFileKey, string>): Promise<IdxArray> {
  const what = `${where}${names[key]}`;
  const inflated = await inflateIdx(bytes, what);
  return key === 'trainLabels' || key === 'testLabels' ? parseIdxLabels(inflated, what) : parseIdx(inflated, what);
}

async function decodeTestSplit(images: Uint8Array, labels: Uint8Array, name: string, where: string, options: DecodeOptions): Promise<ImageDataset> {
  const names = options.names ?? IDX_FILES;
  const what = `the test split of ${name}`;
  const test = datasetFromIdx(await parseFile(images, 'testImages', where, names), await parseFile(labels, 'testLabels', where, names), what, options.transposed);
  shiftLetterLabels(name, test.labels); // EMNIST letters: 1-26 become 0-25
  if (options.fit) checkFit(test, options.fit, what);
  return test;
}

/** Gunzips (if needed), parses and validates the four files' bytes into train and test splits (`test`: already decoded). */
export async function decodeSplits(
  files: Record<IdxFileKey, Uint8Array>,
  name: string,
  where = '',
  test?: ImageDataset,
  options: DecodeOptions = {},
): Promise<DatasetSplits> {
  const names = options.names ?? IDX_FILES;
  const what = `the training split of ${name}`;
  const trainImages = await parseFile(files.trainImages, 'trainImages', where, names);
  const trainLabels = await parseFile(files.trainLabels, 'trainLabels', where, names);
  const train = datasetFromIdx(trainImages, trainLabels, what, options.transposed);
  shiftLetterLabels(name, train.labels);
  test ??= await decodeTestSplit(files.testImages, files.testLabels, name, where, options);
  const [h, w, c] = train.imageShape;
  if (test.imageShape[0] !== h || test.imageShape[1] !== w || test.imageShape[2] !== c) {
    throw new Error(
      `${name}: training images are ${train.imageShape.join('x')} but test images are ${test.imageShape.join('x')}; both splits must have the same image size.`,
    );
  }
  if (options.fit) checkFit(train, options.fit, what);
  return { name, train, test };
}

/**
 * Builds a dataset from parsed image ([n, h, w] or [n, h, w, c]) and label ([n]) files; pixels become
 * floats in [0, 1]. `transposed`: each image is stored column by column (EMNIST), so rows and columns swap back.
 */
export function datasetFromIdx(images: IdxArray, labels: IdxArray, what: string, transposed = false): ImageDataset {
  const s = images.shape;
  if (s.length !== 3 && s.length !== 4) {
    throw new Error(
      `${what}: the image file should have 3 dimensions [images, height, width] (or 4 with channels), but its shape is [${s.join(', ')}]. Are the image and label files swapped?`,
    );
  }
  if (labels.shape.length !== 1) {
    throw new Error(`${what}: the label file should have 1 dimension [labels], but its shape is [${labels.shape.join(', ')}].`);
  }
  const count = s[0];
  if (labels.shape[0] !== count) {
    throw new Error(`${what}: the image file has ${count} images but the label file has ${labels.shape[0]} labels.`);
  }
  const channels = s.length === 4 ? s[3] : 1;
  const imageShape: [number, number, number] = transposed ? [s[2], s[1], channels] : [s[1], s[2], channels];
  const pixels = new Float32Array(images.data.length);
  if (!transposed) {
    for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i] / 255;
  } else {
    const [h, w] = imageShape; // stored as [w, h] per image
    for (let n = 0, base = 0; n < count; n++, base += h * w * channels) {
      for (let r = 0; r < h; r++) {
        for (let c = 0; c < w; c++) {
          for (let k = 0; k < channels; k++) pixels[base + (r * w + c) * channels + k] = images.data[base + (c * h + r) * channels + k] / 255;
        }
      }
    }
  }
  return { images: pixels, labels: labels.data, count, imageShape };
}
