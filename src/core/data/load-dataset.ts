/** Loading an image dataset in the MNIST layout (four IDX files, plain or gzipped) from a folder URL. */
import type { DatasetSplits, ImageDataset } from './dataset';
import { DownloadError, fetchBytes, gunzipIfNeeded, isGzip } from './fetch-bytes';
import { parseIdx, type IdxArray } from './idx';

/** The four files of the MNIST layout (Fashion-MNIST uses the same names). */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** Which of the four files. */
export type IdxFileKey = keyof typeof IDX_FILES;

/** Options of `loadImageDataset`. */
export interface LoadDatasetOptions {
  /** Dataset name; defaults to the last folder of the URL. */
  name?: string;
  /** Replacement for the global `fetch`. */
  fetchImpl?: typeof fetch;
  /** Overall progress in [0, 1] with a short message. */
  onProgress?: (fraction: number, message: string) => void;
  /** Aborts all downloads. */
  signal?: AbortSignal;
  /** Called with the test split as soon as its two (small) files are in, before the training split arrives. */
  onTestSplit?: (test: ImageDataset) => void;
}

const KEYS = Object.keys(IDX_FILES) as IdxFileKey[];
// Share of each file in the total download, used until the real sizes are known (MNIST proportions).
const DEFAULT_WEIGHTS: Record<IdxFileKey, number> = { trainImages: 0.84, trainLabels: 0.01, testImages: 0.14, testLabels: 0.01 };
const DOWNLOAD_SHARE = 0.95;

/** Downloads and decodes the four IDX files under `baseUrl`, trying `<file>.gz` first, then `<file>`. */
export async function loadImageDataset(baseUrl: string, opts: LoadDatasetOptions = {}): Promise<DatasetSplits> {
  const base = baseUrl.replace(/\/+$/, '');
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
    const downloads = KEYS.map((key) =>
      fetchIdxFile(base, IDX_FILES[key], (got, total) => update(key, got, total), opts.fetchImpl, controller.signal),
    );
    const name = opts.name ?? (base.split('/').pop() || 'dataset');
    const where = base ? `${base}/` : '';
    // The test split first (errors surface through the full load below).
    const early = opts.onTestSplit
      ? Promise.all([downloads[KEYS.indexOf('testImages')], downloads[KEYS.indexOf('testLabels')]])
          .then(async ([images, labels]) => {
            const test = await decodeTestSplit(images, labels, name, where);
            opts.onTestSplit?.(test);
            return test;
          })
          .catch(() => undefined)
      : Promise.resolve(undefined);
    const raw = await Promise.all(downloads).catch((err: unknown) => {
      controller.abort();
      throw err;
    });
    report(DOWNLOAD_SHARE, 'Decoding');
    const files = Object.fromEntries(KEYS.map((k, i) => [k, raw[i]])) as Record<IdxFileKey, Uint8Array>;
    const splits = await decodeSplits(files, name, where, await early);
    report(1, `Loaded ${splits.train.count} training and ${splits.test.count} test images`);
    return splits;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

async function parseFile(bytes: Uint8Array, key: IdxFileKey, where: string): Promise<IdxArray> {
  const what = `${where}${IDX_FILES[key]}`;
  return parseIdx(await gunzipIfNeeded(bytes, what), what);
}

async function decodeTestSplit(images: Uint8Array, labels: Uint8Array, name: string, where: string): Promise<ImageDataset> {
  return datasetFromIdx(await parseFile(images, 'testImages', where), await parseFile(labels, 'testLabels', where), `the test split of ${name}`);
}

/** Gunzips (if needed), parses and validates the four files' bytes into train and test splits (`test`: already decoded). */
export async function decodeSplits(files: Record<IdxFileKey, Uint8Array>, name: string, where = '', test?: ImageDataset): Promise<DatasetSplits> {
  const trainImages = await parseFile(files.trainImages, 'trainImages', where);
  const trainLabels = await parseFile(files.trainLabels, 'trainLabels', where);
  const train = datasetFromIdx(trainImages, trainLabels, `the training split of ${name}`);
  test ??= await decodeTestSplit(files.testImages, files.testLabels, name, where);
  const [h, w, c] = train.imageShape;
  if (test.imageShape[0] !== h || test.imageShape[1] !== w || test.imageShape[2] !== c) {
    throw new Error(
      `${name}: training images are ${train.imageShape.join('x')} but test images are ${test.imageShape.join('x')}; both splits must have the same image size.`,
    );
  }
  return { name, train, test };
}

/** Builds a dataset from parsed image ([n, h, w] or [n, h, w, c]) and label ([n]) files; pixels become floats in [0, 1]. */
export function datasetFromIdx(images: IdxArray, labels: IdxArray, what: string): ImageDataset {
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
  const imageShape: [number, number, number] = [s[1], s[2], s.length === 4 ? s[3] : 1];
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i] / 255;
  return { images: pixels, labels: labels.data, count, imageShape };
}

/** Fetches `<base>/<name>.gz`, falling back to `<base>/<name>` when the .gz is missing or not IDX/gzip data. */
async function fetchIdxFile(
  base: string,
  name: string,
  onProgress: (loaded: number, total: number | null) => void,
  fetchImpl: typeof fetch | undefined,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const url = base ? `${base}/${name}` : name;
  let gzBytes: Uint8Array | null = null;
  try {
    gzBytes = await fetchBytes(`${url}.gz`, { onProgress, fetchImpl, signal });
    // A server may decompress on the fly (Content-Encoding: gzip), so plain IDX bytes are fine too.
    if (isGzip(gzBytes) || (gzBytes[0] === 0 && gzBytes[1] === 0)) return gzBytes;
  } catch (err) {
    if (!(err instanceof DownloadError && err.status === 404)) throw err;
  }
  // The .gz is missing, or the server answered with something else (e.g. an HTML fallback page).
  try {
    return await fetchBytes(url, { onProgress, fetchImpl, signal });
  } catch (err) {
    if (!(err instanceof DownloadError && err.status === 404)) throw err;
    if (gzBytes) return gzBytes; // let the parser explain what the .gz answer really was
    throw new DownloadError(
      `Could not download ${name} from ${base || 'the current folder'}: neither ${name}.gz nor ${name} exists there (the server answered 404 Not Found).`,
      url,
      404,
    );
  }
}
