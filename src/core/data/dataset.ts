/** In-memory image classification datasets (MNIST layout) and small helpers on them. */

/** One split of an image classification dataset held in memory. */
export interface ImageDataset {
  /** Pixel intensities in [0, 1], row-major, `count * pixelsPerImage` values. */
  images: Float32Array;
  /** Class label of each image, `count` values. */
  labels: Uint8Array;
  /** Number of images. */
  count: number;
  /** [height, width, channels], e.g. [28, 28, 1]. */
  imageShape: [number, number, number];
}

/** The train and test splits of a dataset. */
export interface DatasetSplits {
  /** Short name, e.g. "mnist" or "fashion-mnist". */
  name: string;
  /** Training split. */
  train: ImageDataset;
  /** Test split. */
  test: ImageDataset;
}

/** Pixels per image of a dataset (height * width * channels). */
export function pixelsPerImage(d: ImageDataset): number {
  const [h, w, c] = d.imageShape;
  return h * w * c;
}

/** A subset made of the first `n` examples (views, no copy). */
export function takeFirst(d: ImageDataset, n: number): ImageDataset {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`takeFirst needs a whole number of examples, got ${n}`);
  const count = Math.min(n, d.count);
  const ppi = pixelsPerImage(d);
  return {
    images: d.images.subarray(0, count * ppi),
    labels: d.labels.subarray(0, count),
    count,
    imageShape: [...d.imageShape],
  };
}

/** Fraction of the pixels that are not zero, over the first `sampleImages` images (MNIST: about 0.19). */
export function nonZeroFraction(d: ImageDataset, sampleImages = 2000): number {
  const values = d.images.subarray(0, Math.min(d.count, sampleImages) * pixelsPerImage(d));
  if (values.length === 0) return 0;
  let nonZero = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) nonZero++;
  return nonZero / values.length;
}
