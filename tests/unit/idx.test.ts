import { describe, expect, it } from 'vitest';
import { encodeIdx, IdxFormatError, parseIdx } from '../../src/core/data/idx';

/** Hand-built IDX header: magic, type, dims (big-endian uint32). */
function header(type: number, dims: number[]): number[] {
  const out = [0, 0, type, dims.length];
  for (const d of dims) out.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return out;
}

function expectIdxError(bytes: Uint8Array | number[], ...words: (string | RegExp)[]): IdxFormatError {
  const input = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let caught: unknown;
  try {
    parseIdx(input, 'train-images-idx3-ubyte');
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(IdxFormatError);
  const error = caught as IdxFormatError;
  expect(error.message).toContain('train-images-idx3-ubyte');
  for (const w of words) {
    if (typeof w === 'string') expect(error.message).toContain(w);
    else expect(error.message).toMatch(w);
  }
  return error;
}

describe('parseIdx', () => {
  it('parses a 1-D unsigned byte file', () => {
    const parsed = parseIdx(new Uint8Array([...header(0x08, [3]), 7, 0, 255]));
    expect(parsed.dtype).toBe('uint8');
    expect(parsed.shape).toEqual([3]);
    expect(Array.from(parsed.data)).toEqual([7, 0, 255]);
  });

  it('parses a 3-D file with big-endian dimensions', () => {
    const data = Array.from({ length: 2 * 3 * 300 }, (_, i) => i % 251);
    const parsed = parseIdx(new Uint8Array([...header(0x08, [2, 3, 300]), ...data]));
    expect(parsed.shape).toEqual([2, 3, 300]);
    expect(parsed.data.length).toBe(1800);
    expect(parsed.data[1799]).toBe(1799 % 251);
  });

  it('parses a view into a larger buffer (non-zero byteOffset)', () => {
    const file = [...header(0x08, [2, 2]), 1, 2, 3, 4];
    const big = new Uint8Array([9, 9, 9, ...file]);
    const parsed = parseIdx(big.subarray(3));
    expect(parsed.shape).toEqual([2, 2]);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4]);
  });

  it('round-trips through encodeIdx', () => {
    const data = new Uint8Array([1, 2, 3, 4, 5, 6]);
    const parsed = parseIdx(encodeIdx([2, 3], data));
    expect(parsed.shape).toEqual([2, 3]);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => encodeIdx([2, 2], data)).toThrow(/needs 4 values/);
  });

  it('rejects empty input', () => {
    expectIdxError([], 'empty');
  });

  it('rejects input shorter than the header', () => {
    expectIdxError([0, 0, 8], 'too short', '3 bytes');
    expectIdxError([0, 0, 8, 3, 0, 0, 0, 2], /truncated inside its header/, '16 header bytes', 'has 8');
  });

  it('rejects a wrong magic number', () => {
    expectIdxError([1, 2, 8, 1, 0, 0, 0, 1, 5], 'not an IDX file', 'two zero bytes', '01 02');
  });

  it('recognises gzipped bytes given without decompression', () => {
    expectIdxError([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3], 'gzipped', 'decompress');
  });

  it('recognises an HTML page', () => {
    const html = new TextEncoder().encode('<!DOCTYPE html>\n<html><body>Not found</body></html>');
    expectIdxError(html, 'looks like an HTML page, not an IDX file');
  });

  it('recognises plain text', () => {
    expectIdxError(new TextEncoder().encode('404: file not found'), 'looks like text');
  });

  it('rejects unsupported element types, naming them', () => {
    expectIdxError([...header(0x0d, [1]), 0, 0, 0, 0], 'float32', 'only unsigned-byte');
    expectIdxError([...header(0x0c, [1]), 0, 0, 0, 0], 'int32', '0x0C');
    expectIdxError([...header(0x42, [1]), 0], 'unknown element type', '0x42');
  });

  it('rejects zero dimensions', () => {
    expectIdxError([0, 0, 8, 0], 'no dimensions');
  });

  it('rejects a dimension of size zero', () => {
    expectIdxError(header(0x08, [10, 0, 28]), 'size zero', '[10, 0, 28]');
  });

  it('rejects truncated data, stating expected and actual sizes', () => {
    const err = expectIdxError([...header(0x08, [2, 2, 2]), 1, 2, 3, 4, 5], 'truncated', '8 data bytes', 'only 5');
    expect(err.name).toBe('IdxFormatError');
  });

  it('rejects trailing extra bytes', () => {
    expectIdxError([...header(0x08, [2]), 1, 2, 3, 4], '2 bytes more', 'expected 2', 'got 4');
  });

  it('names a default when no file name is given', () => {
    expect(() => parseIdx(new Uint8Array())).toThrow(/the file is empty/);
  });
});
