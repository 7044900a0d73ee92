/** Where a model's files come from: a URL (fetch), files held in memory, or (in Node) a folder. */
import { DownloadError, downloadBytes, tooLargeMessage, type DownloadLimits } from '../net/download';
import { MissingFileError, WeightsError } from './manifest';
import { quoteFromFile, showLocation } from './quote';

export { formatBytes } from '../net/download';

/** Options of one `WeightsSource.read`. */
export interface ReadOptions {
  /** Refuse a file larger than this many bytes. */
  maxBytes: number;
  /** Called with the number of bytes that just arrived. */
  onBytes?: (bytes: number) => void;
  /** Stops the read (Cancel); it then fails. */
  signal?: AbortSignal;
}

/** Reads the files of a saved model; every failure is a WeightsError in plain words. */
export interface WeightsSource {
  /** The location of `path` written inside the file at `base` (a manifest or a model.json). */
  resolve(path: string, base: string): string;
  /** The whole content of the file at `location`. */
  read(location: string, options: ReadOptions): Promise<Uint8Array>;
}

/** The default size limit of one file: 200 MB. */
export const DEFAULT_MAX_BYTES = 200 * 1024 * 1024;

/** The refusal of a file larger than the limit. */
export function tooLarge(location: string, bytes: number, maxBytes: number): WeightsError {
  return new WeightsError(tooLargeMessage(showLocation(location), bytes, maxBytes));
}

/**
 * Files behind URLs, fetched with `fetchImpl` (the global fetch by default) under the download
 * limits (core/net/download.ts: a server that stalls or trickles is given up); paths resolve with `new URL`.
 */
export function urlSource(fetchImpl?: typeof fetch, limits?: Partial<DownloadLimits>): WeightsSource {
  return {
    resolve(path, base) {
      try {
        return new URL(path, base).href;
      } catch {
        throw new WeightsError(`${showLocation(base)} refers to ${quoteFromFile(path, 100)}, which is not a valid address.`);
      }
    },
    async read(url, { maxBytes, onBytes, signal }) {
      let reported = 0;
      const onProgress = (loaded: number) => {
        if (loaded > reported) onBytes?.(loaded - reported);
        reported = loaded;
      };
      try {
        return await downloadBytes(url, { fetchImpl, signal, maxBytes, limits, onProgress });
      } catch (err) {
        if (!(err instanceof DownloadError)) throw err;
        throw err.status === 404 || err.status === 410 ? new MissingFileError(err.message) : new WeightsError(err.message);
      }
    },
  };
}

/** Joins a relative path onto the folder of `base` with "/" separators, resolving "." and "..". */
export function joinRelative(path: string, base: string): string {
  const parts = path.startsWith('/') ? [] : base.split('/').slice(0, -1);
  for (const part of path.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.' && part !== '') parts.push(part);
  }
  return parts.join('/');
}

/** Files already in memory (e.g. picked by the person), keyed by relative path such as "encoder/model.json". */
export function memorySource(files: ReadonlyMap<string, Uint8Array | ArrayBuffer>): WeightsSource {
  return {
    resolve: joinRelative,
    async read(name, { maxBytes, onBytes }) {
      const file = files.get(name);
      if (file === undefined) throw new MissingFileError(`The file ${showLocation(name)} is missing from the chosen files.`);
      if (file.byteLength > maxBytes) throw tooLarge(name, file.byteLength, maxBytes);
      onBytes?.(file.byteLength);
      return file instanceof Uint8Array ? file : new Uint8Array(file);
    },
  };
}
