/**
 * A sense of size for the loss: the latest (smoothed) loss in nats per image and in bits per pixel, next
 * to what a coin flip per pixel would cost; with the Gaussian likelihood, why the loss can be negative.
 */
import type { LossHistory } from '../loss-series';

/** Props of `LossScale`. */
export interface LossScaleProps {
  history: LossHistory;
  /** Changes when the history grew (the history itself is mutable). */
  version: number;
  likelihood: 'bernoulli' | 'gaussian';
  /** Pixels per image (784). */
  pixels: number;
}

/** Bits per pixel of a loss in nats per image. */
export function bitsPerPixel(nats: number, pixels: number): number {
  return nats / (pixels * Math.LN2);
}

/** One line under the loss chart. */
export function LossScale({ history, likelihood, pixels }: LossScaleProps) {
  const last = history.length > 0 ? history.smooth.total[history.length - 1] : null;
  const coin = pixels * Math.LN2;
  if (likelihood === 'gaussian') {
    return (
      <p className="loss-scale" data-testid="loss-scale">
        {last !== null ? `Now ${last.toFixed(1)} nats per image. ` : ''}
        With the Gaussian likelihood the loss can be negative: p(x|z) is then a density, and a density, unlike a probability, can exceed 1.
      </p>
    );
  }
  return (
    <p className="loss-scale" data-testid="loss-scale">
      {last !== null ? (
        <>
          Now <strong>{last.toFixed(1)} nats per image</strong> = {bitsPerPixel(last, pixels).toFixed(3)} bits per pixel;{' '}
        </>
      ) : null}
      a coin flip for each of the {pixels} pixels would cost {coin.toFixed(0)} nats (1 bit per pixel).
    </p>
  );
}
