/** A small grayscale digit (dark ink on white paper), drawn at its own resolution and scaled up by CSS. */
import { useEffect, useRef } from 'react';
import { drawDigit } from '../draw';

/** Props of `DigitImage`. */
export interface DigitImageProps {
  /** Intensities in [0, 1] (or bytes 0-255 with `bytes`), [side*side] from `offset`; null draws blank paper. */
  pixels: ArrayLike<number> | null;
  side: number;
  bytes?: boolean;
  offset?: number;
  /** What the image shows, for screen readers. */
  label: string;
  className?: string;
  testId?: string;
}

/** A digit canvas. */
export function DigitImage({ pixels, side, bytes = false, offset = 0, label, className = 'explore-digit', testId }: DigitImageProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    drawDigit(canvas, pixels ?? new Float32Array(side * side), side, bytes && pixels !== null, offset);
  }, [pixels, side, bytes, offset]);
  return <canvas ref={ref} className={className} width={side} height={side} role="img" aria-label={label} data-testid={testId} />;
}
