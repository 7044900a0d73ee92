/** Where a model's files come from: a URL (fetch), files held in memory, or (in Node) a folder. */
import { WeightsError } from './manifest';

/** Options of one `WeightsSource.read`. */
export interface ReadOptions {
  /** Refuse a file larger than this many bytes. */
  maxBytes: number;
  /** Called with the number of bytes that just arrived. */
  onBytes?: (bytes: number) => void;
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

/** Size in plain words: "12.3 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The refusal of a file larger than the limit. */
export function tooLarge(location: string, bytes: number, maxBytes: number): WeightsError {
  return new WeightsError(`${location} is ${formatBytes(bytes)}, more than the ${formatBytes(maxBytes)} this app accepts.`);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 410: 'Gone', 429: 'Too Many Requests',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** Files behind URLs, fetched with `fetchImpl` (the global fetch by default); paths resolve with `new URL`. */
export function urlSource(fetchImpl: typeof fetch = (input, init) => fetch(input, init)): WeightsSource {
  return {
    resolve(path, base) {
      try {
        return new URL(path, base).href;
      } catch {
        throw new WeightsError(`${base} refers to ${JSON.stringify(path.slice(0, 100))}, which is not a valid address.`);
      }
    },
    async read(url, { maxBytes, onBytes }) {
      let response: Response;
      try {
        response = await fetchImpl(url);
      } catch {
        throw new WeightsError(`Could not reach ${url}; the server may be down or may not allow cross-origin requests.`);
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        const text = response.statusText || STATUS_TEXT[response.status] || 'with an error';
        throw new WeightsError(`Could not load ${url}: the server answered ${response.status} ${text}.`);
      }
      const encoding = response.headers.get('content-encoding');
      const length = Number(response.headers.get('content-length') ?? NaN);
      if ((!encoding || encoding === 'identity') && length > maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        throw tooLarge(url, length, maxBytes);
      }
      return readBody(response, url, maxBytes, onBytes);
    },
  };
}

async function readBody(response: Response, url: string, maxBytes: number, onBytes?: (n: number) => void): Promise<Uint8Array> {
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length > maxBytes) throw tooLarge(url, bytes.length, maxBytes);
    onBytes?.(bytes.length);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      loaded += value.length;
      if (loaded > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(url, loaded, maxBytes);
      }
      chunks.push(value);
      onBytes?.(value.length);
    }
  } catch (err) {
    if (err instanceof WeightsError) throw err;
    throw new WeightsError(`The download of ${url} broke off after ${formatBytes(loaded)}.`);
  }
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
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
      if (file === undefined) throw new WeightsError(`The file ${name} is missing from the chosen files.`);
      if (file.byteLength > maxBytes) throw tooLarge(name, file.byteLength, maxBytes);
      onBytes?.(file.byteLength);
      return file instanceof Uint8Array ? file : new Uint8Array(file);
    },
  };
}
