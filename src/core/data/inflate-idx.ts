/**
 * Gunzipping an IDX file as a stream that stops where its header says the data ends: a small `.gz`
 * that would inflate to gigabytes is refused after its first bytes, never inflated whole. Uses the
 * web-standard DecompressionStream (browsers, workers, Node 18+).
 */
import { isGzip } from './fetch-bytes';
import { IdxFormatError, readIdxHeader, type IdxHeader } from './idx';

/** Most data bytes one IDX file may announce (256 MiB; EMNIST balanced's training images are 88 MB). */
export const MAX_IDX_DATA_BYTES = 256 * 1024 * 1024;

/**
 * The IDX file in `bytes`, gunzipped when it starts with the gzip magic. Refuses a file whose header
 * announces more than `maxDataBytes` of data, or that inflates past what its header announces.
 */
export async function inflateIdx(bytes: Uint8Array, what = 'the file', maxDataBytes = MAX_IDX_DATA_BYTES): Promise<Uint8Array> {
  if (!isGzip(bytes)) {
    const header = readIdxHeader(bytes, what);
    if (header) checkAnnounced(header, what, maxDataBytes);
    return bytes;
  }
  const input = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  return readIdxStream(new Blob([input]).stream().pipeThrough(new DecompressionStream('gzip')), what, maxDataBytes);
}

/**
 * Reads an IDX file from a stream of its bytes (e.g. a DecompressionStream's output, which inflates
 * only as it is read) and cancels the stream once it passes the size the header announces.
 */
export async function readIdxStream(inflated: ReadableStream<Uint8Array>, what = 'the file', maxDataBytes = MAX_IDX_DATA_BYTES): Promise<Uint8Array> {
  const reader = inflated.getReader();
  const head: Uint8Array[] = []; // the first chunks, until the header can be read
  let headLength = 0;
  let out: Uint8Array | null = null; // header + data, once the header said how long
  let written = 0;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        throw new Error(`${what} looks gzipped but could not be decompressed (corrupt or truncated file): ${err instanceof Error ? err.message : String(err)}`);
      }
      if (chunk.done) break;
      const value = chunk.value;
      if (!out) {
        head.push(value);
        headLength += value.length;
        const first = concat(head, headLength);
        const header = readIdxHeader(first, what);
        if (!header) continue;
        checkAnnounced(header, what, maxDataBytes);
        out = new Uint8Array(header.headerLength + header.dataLength);
        if (first.length > out.length) throw tooLong(what, header);
        out.set(first);
        written = first.length;
        continue;
      }
      if (written + value.length > out.length) throw tooLong(what, readIdxHeader(out, what)!);
      out.set(value, written);
      written += value.length;
    }
  } catch (err) {
    await reader.cancel().catch(() => undefined); // stops the decompression
    throw err;
  }
  // Ended early (or before a whole header): the parser explains what is missing.
  return out ? out.subarray(0, written) : concat(head, headLength);
}

/** Throws when a header announces more data than this app reads. */
function checkAnnounced(header: IdxHeader, what: string, maxDataBytes: number): void {
  if (header.dataLength <= maxDataBytes) return;
  throw new IdxFormatError(
    `${what} announces ${megabytes(header.dataLength)} of data (shape [${header.shape.join(', ')}]), more than the ${megabytes(maxDataBytes)} this app reads from one file.`,
  );
}

function tooLong(what: string, header: IdxHeader): IdxFormatError {
  // A label file's header (one dimension) before more data: most often an image file with the wrong header, or the files swapped.
  const labels = header.shape.length === 1 && /images/i.test(what) ? ' Its header is a label file\'s (one dimension): are the image and label files swapped, or is its header wrong?' : '';
  return new IdxFormatError(
    `${what} inflates to more than its header announces (${header.dataLength} data bytes for shape [${header.shape.join(', ')}]), so it was not read further.${labels}`,
  );
}

function megabytes(n: number): string {
  return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    joined.set(c, offset);
    offset += c.length;
  }
  return joined;
}
