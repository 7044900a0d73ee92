/**
 * How the decoded-digit panel turns a latent point into pixels: at once on the main thread from a
 * snapshot of the decoder's dense weights, or (for a foreign decoder, e.g. convolutional) in the
 * worker, one request at a time with only the newest point waiting, so a drag stays responsive.
 */
import { snapshotOutputDim, type MlpDecoder } from '../core/latent/mlp-decoder';

/** Decodes latent points for display. */
export interface PointDecoder {
  /** Dimension of the points it takes. */
  readonly latentDim: number;
  /** True when `decode` answers in the caller's task. */
  readonly immediate: boolean;
  /** Decodes z and passes pixel intensities [D] in [0, 1] to `show`: at once, or later (skipped points are never shown). */
  decode(z: readonly number[], show: (pixels: Float32Array) => void): void;
}

/** A decoder running on the main thread over a weights snapshot. */
export function localDecoder(mlp: MlpDecoder): PointDecoder {
  const out = new Float32Array(snapshotOutputDim(mlp.snapshot));
  return { latentDim: mlp.latentDim, immediate: true, decode: (z, show) => show(mlp.decode(z, out)) };
}

/**
 * A decoder in the worker: `request` resolves with the pixels, or null when the answer is stale.
 * At most one request is in flight; points that arrive meanwhile replace each other.
 */
export function remoteDecoder(latentDim: number, request: (z: number[]) => Promise<Float32Array | null>, onError: (err: unknown) => void): PointDecoder {
  let inFlight = false;
  let waiting: { z: number[]; show: (pixels: Float32Array) => void } | null = null;
  const pump = () => {
    if (inFlight || !waiting) return;
    const { z, show } = waiting;
    waiting = null;
    inFlight = true;
    request(z)
      .then((pixels) => {
        if (pixels) show(pixels);
      }, onError)
      .finally(() => {
        inFlight = false;
        pump();
      });
  };
  return {
    latentDim,
    immediate: false,
    decode(z, show) {
      waiting = { z: Array.from(z), show };
      pump();
    },
  };
}
