/**
 * Downloading binary files with progress (the app's one streaming reader, core/net/download.ts, with
 * its stall and too-slow limits), and transparent gunzip, using only web-standard APIs.
 */
export {
  DownloadError,
  downloadBytes as fetchBytes,
  type ByteProgress,
  type DownloadLimits,
  type DownloadOptions as FetchBytesOptions,
} from '../net/download';

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

/** The message of an error and of its cause (Node's fetch puts the real reason in `cause`). */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause && cause !== err.message ? `${err.message} (${cause})` : err.message;
}
