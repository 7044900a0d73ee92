/**
 * Downloading one file into memory over fetch: the one streaming body reader of the app (datasets and
 * model files both come through it). It reports progress, refuses files over a size limit, stops when
 * its AbortSignal fires (Cancel), and never lets a server hold a download forever:
 *
 * - headers: the server must answer (status and headers) within `headersMs` (15 s);
 * - stall: once it has answered, bytes must keep coming: never `stallMs` (15 s) without any;
 * - too slow: and at least `minBytesPerWindow` (16 kB) must arrive in every `windowMs` (30 s) window,
 *   about 0.5 kB/s on average. A server that trickles a byte a second is stopped after 30 s; a slow
 *   mobile link (tens of kB/s) still brings a 10 MB file in, however long it takes.
 *
 * Every failure is a DownloadError whose message is one plain sentence naming the URL, e.g.
 * "The server at https://x.org/vae.json sent nothing for 15 s; the download was stopped."
 */

/** Called while a download runs: bytes received so far, and the expected total if known. */
export type ByteProgress = (loaded: number, total: number | null) => void;

/** When a download is given up (see the module comment). */
export interface DownloadLimits {
  /** Longest wait for the server's answer (status and headers), ms. */
  headersMs: number;
  /** Longest wait for the next bytes of the body, ms. */
  stallMs: number;
  /** Length of the windows the minimum amount is counted over, ms. */
  windowMs: number;
  /** Fewest bytes each full window must bring. */
  minBytesPerWindow: number;
}

/** The limits every download runs under unless told otherwise. */
export const DEFAULT_LIMITS: Readonly<DownloadLimits> = { headersMs: 15_000, stallMs: 15_000, windowMs: 30_000, minBytesPerWindow: 16 * 1024 };

/** Options of `downloadBytes`. */
export interface DownloadOptions {
  /** Progress callback; the last call has `loaded === total`. */
  onProgress?: ByteProgress;
  /** Replacement for the global `fetch` (tests, custom headers). */
  fetchImpl?: typeof fetch;
  /** Cancels the download (it then fails with kind 'cancelled'). */
  signal?: AbortSignal;
  /** Refuse a file larger than this many bytes (default: no limit). */
  maxBytes?: number;
  /** Other limits than DEFAULT_LIMITS (tests use short ones). */
  limits?: Partial<DownloadLimits>;
}

/** Why a download failed. */
export type DownloadFailure = 'network' | 'status' | 'no-answer' | 'stalled' | 'too-slow' | 'too-large' | 'broken' | 'cancelled';

/** A failed download, in one plain sentence; `status` is the HTTP status when the server answered with an error. */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
    readonly kind: DownloadFailure = status === undefined ? 'network' : 'status',
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

/** True for the failure of a download its AbortSignal cancelled. */
export function isCancelled(err: unknown): boolean {
  return err instanceof DownloadError && err.kind === 'cancelled';
}

/** Size in plain words: "12.3 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The sentence refusing a file larger than the limit. */
export function tooLargeMessage(location: string, bytes: number, maxBytes: number): string {
  return `${location} is ${formatBytes(bytes)}, more than the ${formatBytes(maxBytes)} this app accepts.`;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 410: 'Gone', 429: 'Too Many Requests',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(ms < 1000 ? 2 : 1))} s`;

/** Downloads `url` into memory, streaming the body, under the limits above. Throws DownloadError. */
export async function downloadBytes(url: string, opts: DownloadOptions = {}): Promise<Uint8Array> {
  const limits: DownloadLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const maxBytes = opts.maxBytes ?? Infinity;
  const watch = new Watchdog(url, opts.signal);
  try {
    const response = await fetchResponse(url, opts.fetchImpl ?? globalThis.fetch, watch, limits);
    let total = expectedLength(response);
    if (total !== null && total > maxBytes) {
      void response.body?.cancel().catch(() => undefined);
      throw new DownloadError(tooLargeMessage(url, total, maxBytes), url, undefined, 'too-large');
    }
    const report = opts.onProgress ?? (() => undefined);
    report(0, total);
    let loaded = 0;
    watch.watchBody(limits, () => loaded);
    if (!response.body) {
      const bytes = new Uint8Array(await watch.race(response.arrayBuffer()));
      if (bytes.length > maxBytes) throw new DownloadError(tooLargeMessage(url, bytes.length, maxBytes), url, undefined, 'too-large');
      report(bytes.length, bytes.length);
      return bytes;
    }
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    try {
      for (;;) {
        const { done, value } = await watch.race(reader.read());
        if (done) break;
        loaded += value.length;
        if (loaded > maxBytes) throw new DownloadError(tooLargeMessage(url, loaded, maxBytes), url, undefined, 'too-large');
        watch.arrived(value.length);
        chunks.push(value);
        if (total !== null && loaded > total) total = null; // the length header was wrong
        report(loaded, total);
      }
    } catch (err) {
      void reader.cancel().catch(() => undefined);
      if (err instanceof DownloadError) throw err;
      throw new DownloadError(`The download of ${url} broke off after ${formatBytes(loaded)}.`, url, undefined, 'broken');
    }
    report(loaded, loaded);
    return concat(chunks, loaded);
  } finally {
    watch.dispose();
  }
}

/** The response to a GET of `url`, once its status is OK; every failure in plain words. */
async function fetchResponse(url: string, doFetch: typeof fetch, watch: Watchdog, limits: DownloadLimits): Promise<Response> {
  watch.arm(limits.headersMs, () => new DownloadError(`The server at ${url} did not answer within ${seconds(limits.headersMs)}; the download was stopped.`, url, undefined, 'no-answer'));
  let response: Response;
  try {
    response = await watch.race(doFetch(url, { signal: watch.signal }));
  } catch (err) {
    if (err instanceof DownloadError) throw err;
    throw new DownloadError(`Could not reach ${url}; the server may be down or may not allow cross-origin requests.`, url);
  }
  if (!response.ok) {
    void response.body?.cancel().catch(() => undefined);
    const text = response.statusText || STATUS_TEXT[response.status] || 'with an error';
    throw new DownloadError(`Could not download ${url}: the server answered ${response.status} ${text}.`, url, response.status);
  }
  return response;
}

/**
 * The timers of one download: an inner AbortController that the limits, or the caller's signal,
 * abort with a DownloadError; `race` makes any await end as soon as that happens.
 */
class Watchdog {
  private readonly controller = new AbortController();
  private failure: DownloadError | null = null;
  private rejectFailed: (err: DownloadError) => void = () => undefined;
  private readonly failed = new Promise<never>((_, reject) => {
    this.rejectFailed = reject;
  });
  private timer: ReturnType<typeof setTimeout> | undefined;
  private windowTimer: ReturnType<typeof setTimeout> | undefined;
  private windowBytes = 0;
  /** Re-arms the body's stall timer (set by `watchBody`). */
  private stall: () => void = () => undefined;
  private readonly onAbort = () => this.fail(new DownloadError(`The download of ${this.url} was cancelled.`, this.url, undefined, 'cancelled'));

  constructor(
    private readonly url: string,
    private readonly outer?: AbortSignal,
  ) {
    this.failed.catch(() => undefined); // raced, never awaited alone
    if (outer?.aborted) this.onAbort();
    else outer?.addEventListener('abort', this.onAbort);
  }

  /** The signal to give fetch. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** `promise`, or this download's failure if that comes first. */
  async race<T>(promise: Promise<T>): Promise<T> {
    if (this.failure) {
      promise.catch(() => undefined);
      throw this.failure;
    }
    try {
      return await Promise.race([promise, this.failed]);
    } catch (err) {
      throw this.failure ?? err;
    }
  }

  /** Fails with `make()` unless re-armed or disposed within `ms`. */
  arm(ms: number, make: () => DownloadError): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fail(make()), ms);
  }

  /** Starts the body's stall timer and the too-slow windows; `loaded()` says how much has come. */
  watchBody(limits: DownloadLimits, loaded: () => number): void {
    const stalled = () => {
      const got = loaded();
      const what = got === 0 ? `sent nothing for ${seconds(limits.stallMs)}` : `stopped sending for ${seconds(limits.stallMs)} after ${formatBytes(got)}`;
      return new DownloadError(`The server at ${this.url} ${what}; the download was stopped.`, this.url, undefined, 'stalled');
    };
    this.stall = () => this.arm(limits.stallMs, stalled);
    this.stall();
    clearTimeout(this.windowTimer);
    this.windowBytes = 0;
    const check = () => {
      if (this.windowBytes < limits.minBytesPerWindow) {
        const message = `The server at ${this.url} is sending too slowly (${formatBytes(this.windowBytes)} in the last ${seconds(limits.windowMs)}); the download was stopped.`;
        this.fail(new DownloadError(message, this.url, undefined, 'too-slow'));
        return;
      }
      this.windowBytes = 0;
      this.windowTimer = setTimeout(check, limits.windowMs);
    };
    this.windowTimer = setTimeout(check, limits.windowMs);
  }

  /** Bytes came: the stall timer starts again. */
  arrived(bytes: number): void {
    this.windowBytes += bytes;
    this.stall();
  }

  /** Stops the timers and forgets the caller's signal. */
  dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.windowTimer);
    this.stall = () => undefined;
    this.outer?.removeEventListener('abort', this.onAbort);
  }

  private fail(err: DownloadError): void {
    if (this.failure) return;
    this.failure = err;
    clearTimeout(this.timer);
    clearTimeout(this.windowTimer);
    this.controller.abort(err);
    this.rejectFailed(err);
  }
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
