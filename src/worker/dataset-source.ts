/**
 * The dataset the worker trains on: the address's `data=` folder, checked against what the models
 * and panels can use, or the built-in MNIST when that folder cannot be loaded or used (the reason is
 * shown, and the page stays usable instead of waiting on a dataset that will never come).
 */
import type { DatasetSplits, ImageDataset } from '../core/data/dataset';
import { fitForInput, type DatasetFit } from '../core/data/fit';
import type { LoadDatasetOptions } from '../core/data/load-dataset';
import { DEFAULT_CONFIG } from '../core/model/config';
import { isCancelled } from '../core/net/download';

/** Where the built-in MNIST is served (scripts/prepare-data.mjs puts it there). */
export const BUILTIN_DATA_PATH = '/data/mnist/';

/** What every dataset must be like here: the models' 28x28 grey input, at most 62 classes. */
export const APP_DATASET_FIT: DatasetFit = fitForInput(DEFAULT_CONFIG.inputDim);

/** What `loadDataOrBuiltin` needs. */
export interface DataSourceDeps {
  /** Loads one dataset URL (core's loadImageDataset). */
  load: (url: string, options: LoadDatasetOptions) => Promise<DatasetSplits>;
  /** The built-in MNIST's absolute URL. */
  builtinUrl: string;
  /** Shows why the asked-for dataset is not used, in plain words. */
  warn: (message: string) => void;
}

/** Dataset progress: a fraction in [0, 1], a message, and whether `skip` can still stop it (the address's dataset is downloading). */
export type DataProgress = (fraction: number, message: string, skippable: boolean) => void;

/**
 * Loads `url` (checked against APP_DATASET_FIT); when that fails, or the person stops it through
 * `skip` (a server that answers slowly or not at all), says why and loads the built-in MNIST instead.
 * Only a failure of the built-in MNIST itself (or another cancel) rejects.
 */
export async function loadDataOrBuiltin(
  url: string,
  onProgress: DataProgress,
  onTestSplit: ((test: ImageDataset) => void) | undefined,
  deps: DataSourceDeps,
  skip?: AbortSignal,
): Promise<DatasetSplits> {
  const builtin: LoadDatasetOptions = { onProgress: (f, m) => onProgress(f, m, false), onTestSplit, fit: APP_DATASET_FIT };
  if (sameFolder(url, deps.builtinUrl)) return deps.load(deps.builtinUrl, builtin);
  try {
    return await deps.load(url, { ...builtin, onProgress: (f, m) => onProgress(f, m, true), signal: skip });
  } catch (err) {
    if (skip?.aborted) {
      deps.warn(`The download of the dataset at ${url} was stopped. The built-in MNIST is used instead.`);
      return deps.load(deps.builtinUrl, builtin);
    }
    if (cancelled(err)) throw err;
    const reason = (err instanceof Error ? err.message : String(err)).trim();
    deps.warn(`${/[.!?)]$/.test(reason) ? reason : `${reason}.`} The built-in MNIST is used instead.`);
    return deps.load(deps.builtinUrl, builtin);
  }
}

/** A download stopped on purpose (an AbortSignal, or core/net's 'cancelled' DownloadError), not a failure. */
function cancelled(err: unknown): boolean {
  return isCancelled(err) || (err instanceof Error && err.name === 'AbortError');
}

/** True when two dataset URLs name the same folder (trailing slashes aside). */
function sameFolder(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
