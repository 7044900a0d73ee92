/**
 * Downloading binary files with progress (the app's one streaming reader, core/net/download.ts, with
 * its stall and too-slow limits), and telling gzipped bytes (inflate-idx.ts unpacks them as a stream).
 */
export {
  DownloadError,
  downloadBytes as fetchBytes,
  type ByteProgress,
  type DownloadLimits,
  type DownloadOptions as FetchBytesOptions,
} from '../net/download';

/** True when the bytes start with the gzip magic number 1F 8B. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}
