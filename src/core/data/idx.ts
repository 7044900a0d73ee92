/** The IDX file format (MNIST, Fashion-MNIST): parsing with plain-words validation, and encoding. */

/** A parsed IDX file: unsigned bytes with their shape. */
export interface IdxArray {
  /** Element type; only unsigned bytes are supported. */
  dtype: 'uint8';
  /** Size of each dimension, outermost first. */
  shape: number[];
  /** The elements, row-major, `product(shape)` values. */
  data: Uint8Array;
}

/** Thrown when bytes are not a valid (supported) IDX file; the message says what is wrong in plain words. */
export class IdxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdxFormatError';
  }
}

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte (int8)',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/** Bytes per element of each IDX element type. */
const ELEMENT_SIZES: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

/** What an IDX header says: the element type, the shape, and where the data starts and ends. */
export interface IdxHeader {
  /** Element type code (0x08 unsigned byte, 0x0C int32, ...). */
  type: number;
  /** Size of each dimension, outermost first. */
  shape: number[];
  /** Bytes of the header (4 + 4 per dimension). */
  headerLength: number;
  /** Bytes of data the shape announces (elements times element size). */
  dataLength: number;
}

/**
 * Reads the header at the start of an IDX file's first bytes: null while more bytes are needed to
 * tell, an IdxFormatError in words when they cannot start an IDX file.
 */
export function readIdxHeader(bytes: Uint8Array, what = 'the file'): IdxHeader | null {
  if (bytes.length >= 2 && (bytes[0] !== 0 || bytes[1] !== 0)) throw new IdxFormatError(wrongMagicMessage(bytes, what));
  if (bytes.length < 4) return null;
  const type = bytes[2];
  const elementSize = ELEMENT_SIZES[type];
  if (!elementSize) throw new IdxFormatError(`${what} holds an unknown element type 0x${hex(type)}, so it is not an IDX file this app can read.`);
  const ndims = bytes[3];
  if (ndims === 0) throw new IdxFormatError(`${what} declares no dimensions, so it holds no data.`);
  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndims; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const zeroAt = shape.indexOf(0);
  if (zeroAt >= 0) {
    throw new IdxFormatError(`${what} has a dimension of size zero (dimension ${zeroAt + 1} of shape [${shape.join(', ')}]), so it holds no data.`);
  }
  return { type, shape, headerLength, dataLength: shape.reduce((a, b) => a * b, elementSize) };
}

/** Parses an IDX file of unsigned bytes; `what` names the file in error messages. */
export function parseIdx(bytes: Uint8Array, what = 'the file'): IdxArray {
  const header = completeHeader(bytes, what);
  if (header.type !== 0x08) throw new IdxFormatError(`${what} holds ${typeWords(header.type)}; only unsigned-byte IDX files (type 0x08) are supported.`);
  return { dtype: 'uint8', shape: header.shape, data: dataOf(bytes, header, what) };
}

/**
 * Parses an IDX label file into one byte per example: unsigned bytes [n] (MNIST), or int32 [n] or
 * [n, k] whose first column is the class (QMNIST's `labels-idx2-int`), each 0 to 255.
 */
export function parseIdxLabels(bytes: Uint8Array, what = 'the file'): IdxArray {
  const header = completeHeader(bytes, what);
  if (header.type === 0x08) return { dtype: 'uint8', shape: header.shape, data: dataOf(bytes, header, what) };
  const { shape } = header;
  if (header.type !== 0x0c || shape.length > 2) {
    throw new IdxFormatError(`${what} holds ${typeWords(header.type)} of shape [${shape.join(', ')}]; labels must be unsigned bytes [n], or int32 [n] or [n, columns] with the class first.`);
  }
  const data = dataOf(bytes, header, what);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const [n, columns = 1] = shape;
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const label = view.getInt32(4 * i * columns, false);
    if (label < 0 || label > 255) throw new IdxFormatError(`${what} gives example ${i} the label ${label}; labels must be whole numbers from 0 to 255.`);
    labels[i] = label;
  }
  return { dtype: 'uint8', shape: [n], data: labels };
}

/** The header of a complete file, with the plain-words errors of a file too short to hold one. */
function completeHeader(bytes: Uint8Array, what: string): IdxHeader {
  if (bytes.length === 0) throw new IdxFormatError(`${what} is empty (0 bytes), so it is not an IDX file.`);
  if (bytes.length < 4) {
    readIdxHeader(bytes, what); // explains a wrong start
    throw new IdxFormatError(`${what} is too short to be an IDX file: ${bytesWord(bytes.length)}, but the header alone needs at least 4.`);
  }
  const header = readIdxHeader(bytes, what);
  if (header) return header;
  const headerLength = 4 + 4 * bytes[3];
  throw new IdxFormatError(
    `${what} is truncated inside its header: ${bytes[3]} dimensions need ${headerLength} header bytes, but the file has ${bytes.length}.`,
  );
}

/** The data bytes after the header, exactly as many as the shape says. */
function dataOf(bytes: Uint8Array, header: IdxHeader, what: string): Uint8Array {
  const { shape, headerLength, dataLength: expected } = header;
  const actual = bytes.length - headerLength;
  if (actual < expected) {
    throw new IdxFormatError(
      `${what} is truncated: shape [${shape.join(', ')}] needs ${expected} data bytes, but only ${actual} ${actual === 1 ? 'is' : 'are'} present (incomplete download?).`,
    );
  }
  if (actual > expected) {
    throw new IdxFormatError(
      `${what} has ${bytesWord(actual - expected)} more than its shape [${shape.join(', ')}] says (expected ${expected} data bytes, got ${actual}).`,
    );
  }
  return bytes.subarray(headerLength);
}

function typeWords(type: number): string {
  const name = TYPE_NAMES[type];
  return name ? `${name} values (type 0x${hex(type)})` : `an unknown element type 0x${hex(type)}`;
}

/** Encodes unsigned bytes with the given shape as an IDX file (type 0x08). */
export function encodeIdx(shape: number[], data: Uint8Array): Uint8Array {
  if (shape.length === 0 || shape.length > 255) throw new RangeError(`an IDX file needs 1 to 255 dimensions, got ${shape.length}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) throw new RangeError(`invalid IDX dimension size ${d}`);
  }
  const expected = shape.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new RangeError(`shape [${shape.join(', ')}] needs ${expected} values, but ${data.length} were given`);
  }
  const headerLength = 4 + 4 * shape.length;
  const out = new Uint8Array(headerLength + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, headerLength);
  return out;
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0').toUpperCase();
}

function bytesWord(n: number): string {
  return n === 1 ? '1 byte' : `${n} bytes`;
}

/** Explains bytes that do not start with the IDX magic, guessing what they are instead. */
function wrongMagicMessage(bytes: Uint8Array, what: string): string {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    return `${what} is gzipped (it starts with 1F 8B) and must be decompressed before it can be read as an IDX file.`;
  }
  const head = new TextDecoder().decode(bytes.subarray(0, 256)).trimStart().toLowerCase();
  if (['<!doctype html', '<html', '<head', '<body'].some((tag) => head.startsWith(tag))) {
    return `${what} looks like an HTML page, not an IDX file (wrong URL, or the server answered with an error page).`;
  }
  const printable = bytes.subarray(0, 64).every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
  if (printable) return `${what} looks like text, not an IDX file (wrong URL, or the server answered with an error message).`;
  return `${what} is not an IDX file: it should start with two zero bytes but starts with ${hex(bytes[0])} ${hex(bytes[1])}.`;
}
