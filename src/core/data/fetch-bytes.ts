/** Downloading binary files with progress, and transparent gunzip, using only web-standard APIs. */

/** Called while a download runs: bytes received so far, and the expected total if known. */
export type ByteProgress = (loaded: number, total: number | null) => void;

/** Options of `fetchBytes`. */
export interface FetchBytesOptions {
  /** Progress callback; the last call has `loaded === total`. */
  onProgress?: ByteProgress;
  /** Replacement for the global `fetch` (tests, custom headers). */
  fetchImpl?: typeof fetch;
  /** Aborts the download. */
  signal?: AbortSignal;
}

/** A failed download; `status` is the HTTP status when the server answered with an error. */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 410: 'Gone',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** Downloads `url` into memory, streaming the body so progress can be reported. */
export async function fetchBytes(url: string, opts: FetchBytesOptions = {}): Promise<Uint8Array> {
  const doFetch = opts.fetchImpl ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, { signal: opts.signal });
  } catch (err) {
    if (isAbort(err, opts.signal)) throw err;
    throw new DownloadError(
      `Could not reach ${url}: ${describeError(err)} (network error, or the server does not allow cross-origin requests)`,
      url,
    );
  }
  if (!response.ok) {
    const text = response.statusText || STATUS_TEXT[response.status] || 'an error';
    await response.body?.cancel().catch(() => undefined);
    throw new DownloadError(`Could not download ${url}: the server answered ${response.status} ${text}`, url, response.status);
  }
  let total = expectedLength(response);
  const report = opts.onProgress ?? (() => undefined);
  report(0, total);
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    report(bytes.length, bytes.length);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      if (total !== null && loaded > total) total = null; // the length header was wrong (e.g. compressed size)
      report(loaded, total);
    }
  } catch (err) {
    if (isAbort(err, opts.signal)) throw err;
    throw new DownloadError(`The download of ${url} broke off after ${loaded} bytes: ${describeError(err)}`, url);
  }
  report(loaded, loaded);
  return concat(chunks, loaded);
}

/** Decompresses `bytes` if they start with the gzip magic (1F 8B); otherwise returns them unchanged. */
export async function gunzipIfNeeded(bytes: Uint8Array, what = 'the file'): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  const input = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  try {
    const stream = new Blob([input]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (err) {
    throw new Error(`${what} looks gzipped but could not be decompressed (corrupt or truncated file): ${describeError(err)}`);
  }
}

/** True when the bytes start with the gzip magic number 1F 8B. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Content-Length, unless the body is content-encoded (the header then counts compressed bytes). */
function expectedLength(response: Response): number | null {
  const encoding = response.headers.get('content-encoding');
  if (encoding && encoding !== 'identity') return null;
  const header = response.headers.get('content-length');
  const n = header === null ? NaN : Number(header);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return (signal?.aborted ?? false) || (err instanceof Error && err.name === 'AbortError');
}

/** The message of an error and of its cause (Node's fetch puts the real reason in `cause`). */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause && cause !== err.message ? `${err.message} (${cause})` : err.message;
}
