import { gzipSync, createGzip } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx, IdxFormatError, parseIdx } from '../../src/core/data/idx';
import { inflateIdx, MAX_IDX_DATA_BYTES, readIdxStream } from '../../src/core/data/inflate-idx';

/** An IDX header: magic, type, dims (big-endian uint32). */
function header(type: number, dims: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return out;
}

/** Gzips `head` followed by `zeroMiB` MiB of zeros, streaming (never holding the inflated bytes). */
async function gzipWithZeros(head: Uint8Array, zeroMiB: number): Promise<Uint8Array> {
  const gz = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gz.on('data', (c: Buffer) => parts.push(c));
  const ended = new Promise((done) => gz.on('end', done));
  gz.write(head);
  const zeros = Buffer.alloc(1 << 20);
  for (let i = 0; i < zeroMiB; i++) gz.write(zeros);
  gz.end();
  await ended;
  return new Uint8Array(Buffer.concat(parts));
}

/** The inflated bytes of `gz` as a stream (DecompressionStream), counting how many were read from it. */
function countedInflation(gz: Uint8Array): { stream: ReadableStream<Uint8Array>; inflated: () => number } {
  let count = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      count += chunk.length;
      controller.enqueue(chunk);
    },
  });
  const stream = new Blob([gz as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip')).pipeThrough(counter);
  return { stream, inflated: () => count };
}

let bomb: Uint8Array;

beforeAll(async () => {
  // 10 images of 28x28 announced, then 1 GiB of zeros: about 1 MB gzipped.
  bomb = await gzipWithZeros(header(0x08, [10, 28, 28]), 1024);
});

describe('inflateIdx', () => {
  it('gunzips a small IDX file to exactly its bytes, and passes plain IDX bytes through', async () => {
    const plain = encodeIdx([3, 28, 28], Uint8Array.from({ length: 3 * 784 }, (_, i) => i % 256));
    expect(await inflateIdx(new Uint8Array(gzipSync(plain)))).toEqual(plain);
    expect(await inflateIdx(plain)).toBe(plain);
  });

  it('refuses a gzip bomb after the bytes its header announces, without inflating the rest', async () => {
    expect(bomb.length).toBeGreaterThan(500_000); // the 1 GiB of zeros is really in there
    const { stream, inflated } = countedInflation(bomb);
    const failure = readIdxStream(stream, 'train-images-idx3-ubyte.gz');
    await expect(failure).rejects.toThrow(IdxFormatError);
    await expect(failure).rejects.toThrow(/train-images-idx3-ubyte.gz inflates to more than its header announces \(7840 data bytes/);
    // Reading stopped after the first chunks: not even 1% of the 1 GiB was inflated.
    expect(inflated()).toBeLessThan(2 ** 30 / 100);
    await expect(inflateIdx(bomb, 'bomb.gz')).rejects.toThrow(/bomb.gz inflates to more than its header announces/);
  });

  it('an image file that carries a label header: the message asks whether the files are swapped', async () => {
    const images = Uint8Array.from({ length: 4 * 784 }, (_, i) => i % 256);
    const labelHeader = encodeIdx([4], images.subarray(0, 4)); // [4] announced, 4 * 784 bytes follow
    const file = new Uint8Array(gzipSync(Uint8Array.from([...labelHeader, ...images.subarray(4)])));
    await expect(inflateIdx(file, 't10k-images-idx3-ubyte.gz')).rejects.toThrow(
      /t10k-images-idx3-ubyte\.gz inflates to more than its header announces \(4 data bytes for shape \[4\]\), so it was not read further\. Its header is a label file's \(one dimension\): are the image and label files swapped, or is its header wrong\?/,
    );
  });

  it('refuses, from the header alone, a file that announces more data than the app reads', async () => {
    const huge = header(0x08, [1_000_000, 28, 28]); // 784 MB announced
    const gz = await gzipWithZeros(huge, 64);
    const { stream, inflated } = countedInflation(gz);
    await expect(readIdxStream(stream, 'big.gz')).rejects.toThrow(/big.gz announces 784 MB of data \(shape \[1000000, 28, 28\]\), more than the 268 MB/);
    expect(inflated()).toBeLessThan(2 ** 20);
    // Plain (not gzipped) bytes are held to the same limit.
    await expect(inflateIdx(huge, 'plain')).rejects.toThrow(/plain announces 784 MB/);
    expect(MAX_IDX_DATA_BYTES).toBeLessThan(784_000_000);
  });

  it('leaves a short file to the parser, which names what is missing', async () => {
    const cut = encodeIdx([4, 28, 28], new Uint8Array(4 * 784)).subarray(0, 16 + 2 * 784);
    const inflated = await inflateIdx(new Uint8Array(gzipSync(cut)), 'cut');
    expect(inflated.length).toBe(16 + 2 * 784);
    expect(() => parseIdx(inflated, 'cut')).toThrow(/cut is truncated: shape \[4, 28, 28\] needs 3136 data bytes, but only 1568/);
  });

  it('explains a corrupt .gz and gzipped text', async () => {
    const gz = new Uint8Array(gzipSync(encodeIdx([2, 28, 28], new Uint8Array(2 * 784).fill(7))));
    await expect(inflateIdx(gz.subarray(0, gz.length - 30), 'x.gz')).rejects.toThrow(/x.gz looks gzipped but could not be decompressed/);
    const html = new Uint8Array(gzipSync(Buffer.from('<!doctype html><html><body>Not here</body></html>')));
    await expect(inflateIdx(html, 'y.gz')).rejects.toThrow(/y.gz looks like an HTML page/);
  });
});
