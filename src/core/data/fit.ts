/** Whether a dataset fits what the models and the panels can use: image size and class count. */
import type { ImageDataset } from './dataset';

/** What a dataset must be like to be used. */
export interface DatasetFit {
  /** [height, width, channels] every image must have. */
  imageShape: [number, number, number];
  /** Labels must be 0 to maxClasses - 1. */
  maxClasses: number;
}

/** Most classes a dataset may have: EMNIST byclass's 62 (digits, upper- and lower-case letters). */
export const MAX_CLASSES = 62;

/** The fit for square single-channel images of `inputDim` pixels (784: 28x28) and at most MAX_CLASSES classes. */
export function fitForInput(inputDim: number): DatasetFit {
  const side = Math.round(Math.sqrt(inputDim));
  return { imageShape: [side, side, 1], maxClasses: MAX_CLASSES };
}

/** Thrown when a dataset is well-formed but cannot be used here; the message is one plain sentence. */
export class DatasetFitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetFitError';
  }
}

/** Throws DatasetFitError when `data` (named by `what`, e.g. "the test split of emnist") does not fit. */
export function checkFit(data: ImageDataset, fit: DatasetFit, what: string): void {
  const [h, w, c] = data.imageShape;
  const [fh, fw, fc] = fit.imageShape;
  if (h !== fh || w !== fw || c !== fc) {
    throw new DatasetFitError(
      `${capitalized(what)} has ${shapeWords(data.imageShape)} images, but the models here take ${shapeWords(fit.imageShape)} images.`,
    );
  }
  let top = 0;
  for (let i = 0; i < data.labels.length; i++) if (data.labels[i] > top) top = data.labels[i];
  if (top >= fit.maxClasses) {
    throw new DatasetFitError(
      `${capitalized(what)} has labels up to ${top}, but the app shows at most ${fit.maxClasses} classes (labels 0 to ${fit.maxClasses - 1}).`,
    );
  }
}

function shapeWords([h, w, c]: [number, number, number]): string {
  return `${h}x${w}${c === 1 ? ' grey' : ` ${c}-channel`}`;
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
