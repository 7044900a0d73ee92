/**
 * Reading a `.safetensors` file (https://huggingface.co/docs/safetensors/index, format spec at
 * https://github.com/huggingface/safetensors#format): an 8-byte little-endian header length N, N bytes
 * of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, then the raw
 * little-endian tensor bytes, offsets counted from the end of the header. Nothing in it is run: it
 * is numbers and JSON only, unlike a pickled PyTorch `.pt` file.
 */
import { WeightsError } from './manifest';
import { quoteFromFile, showLocation } from './quote';

/** One tensor of the file, its values widened to float32 (row-major, PyTorch's own layout). */
export interface StoredTensor {
  shape: number[];
  /** The dtype in the file ("F32", "F16", "BF16", "F64", ...). */
  dtype: string;
  values: Float32Array;
}

/** Bytes per element of each dtype this reader widens to float32. */
const FLOAT_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };
/** Dtypes that are skipped (counters such as BatchNorm's num_batches_tracked), with their sizes for the bounds check. */
const OTHER_BYTES: Record<string, number> = { I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1, U16: 2, U32: 4, U64: 8, F8_E4M3: 1, F8_E5M2: 1 };
/** The spec's limit on the header: 100 MB. */
const MAX_HEADER = 100 * 1024 * 1024;
const MAX_TENSORS = 10_000;

/** One IEEE half-precision value as a number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function widen(bytes: Uint8Array, dtype: string, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  const scratch = new DataView(new ArrayBuffer(4));
  for (let i = 0; i < count; i++) {
    if (dtype === 'F32') out[i] = view.getFloat32(i * 4, true);
    else if (dtype === 'F64') out[i] = view.getFloat64(i * 8, true);
    else if (dtype === 'F16') out[i] = halfToFloat(view.getUint16(i * 2, true));
    else {
      scratch.setUint32(0, view.getUint16(i * 2, true) * 0x10000); // BF16: the top half of a float32
      out[i] = scratch.getFloat32(0);
    }
  }
  return out;
}

/**
 * The floating-point tensors of a safetensors file by name: [shape] row-major float32 values.
 * `location` names the file in messages. Throws WeightsError when the file is not a safetensors
 * file or a tensor's bytes lie outside it or disagree with its shape.
 */
export function readSafetensors(bytes: Uint8Array, location: string): Map<string, StoredTensor> {
  const where = showLocation(location);
  const notSafetensors = (why: string) => new WeightsError(`${where} is not a safetensors file: ${why}.`);
  if (bytes.length < 8) throw notSafetensors('it is shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER || headerLength > bytes.length - 8) {
    throw notSafetensors(`its first 8 bytes announce a header of ${headerLength} bytes, ${headerLength > MAX_HEADER ? 'more than the 100 MB the format allows' : 'longer than the file'}`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw notSafetensors('its header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw notSafetensors('its header is not a JSON object');
  const entries = Object.entries(header).filter(([name]) => name !== '__metadata__');
  if (entries.length > MAX_TENSORS) throw new WeightsError(`${where} holds more than ${MAX_TENSORS} tensors, more than this app reads.`);
  const data = bytes.subarray(8 + headerLength);
  const tensors = new Map<string, StoredTensor>();
  for (const [name, info] of entries) {
    const tensor = `${where}: the tensor ${quoteFromFile(name, 100)}`;
    const { dtype, shape, data_offsets: offsets } = (info ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in FLOAT_BYTES || dtype in OTHER_BYTES)) {
      throw new WeightsError(`${tensor} has the unknown dtype ${quoteFromFile(dtype)}.`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0) || shape.length > 8) {
      throw new WeightsError(`${tensor} has no valid shape (a list of whole numbers).`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      throw new WeightsError(`${tensor} has no valid data_offsets ([begin, end]).`);
    }
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const size = FLOAT_BYTES[dtype] ?? OTHER_BYTES[dtype];
    if (end > data.length) throw new WeightsError(`${tensor} lies past the end of the file (bytes ${begin} to ${end} of ${data.length}); the file may be truncated.`);
    if (end - begin !== count * size) {
      throw new WeightsError(`${tensor} has ${end - begin} bytes but its shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${count * size}.`);
    }
    if (!(dtype in FLOAT_BYTES)) continue;
    tensors.set(name, { shape: [...(shape as number[])], dtype, values: widen(data.subarray(begin, end), dtype, count) });
  }
  return tensors;
}
