/**
 * The decoded digit: the main thread's decoder copy applied to the current latent point, drawn in the
 * same task as the pointer event that moved it (a foreign decoder answers from the worker instead).
 * Sliders set each latent dimension; Sample draws z ~ N(0, I).
 */
import { useCallback, useEffect, useRef } from 'react';
import { areDigits } from '../../core/data/class-names';
import { sampleStandardNormal } from '../../core/latent/normal';
import type { PointDecoder } from '../decoding';
import { drawDigit } from '../draw';
import { recordDecode } from '../perf';
import { useStore, type LatentPoint, type Store } from '../state/store';
import { KEY_LIMIT } from './latent-keys';

/** Props of `DecodedPanel`. */
export interface DecodedPanelProps {
  point: Store<LatentPoint>;
  decoder: Store<PointDecoder | null>;
  /** Image side in pixels (28 for MNIST). */
  side: number;
  /** The dataset's class names: the panel says "digit" for digits (the default), "image" otherwise. */
  classNames?: readonly string[];
}

/** Formats z for `data-z` and the readout. */
export function formatZ(z: number[], digits = 3): string {
  return z.map((v) => v.toFixed(digits)).join(',');
}

/** The sliders' range, ±this (wider when z is further out): the arrow keys' limit too. */
const SLIDER_LIMIT = KEY_LIMIT;

/** The decoded-digit panel, canvas `data-testid="decoded-digit"` with `data-z`. */
export function DecodedPanel({ point, decoder, side, classNames }: DecodedPanelProps) {
  const noun = !classNames || areDigits(classNames) ? 'digit' : 'image';
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const current = useStore(point);

  const draw = useCallback((fromInput: boolean) => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const { z, eventTime } = point.get();
    canvas.dataset.z = formatZ(z);
    const dec = decoder.get();
    if (!dec || dec.latentDim !== z.length) return;
    const started = performance.now();
    dec.decode(z, (pixels) => {
      drawDigit(canvas, pixels, side);
      recordDecode(started, fromInput ? eventTime : undefined);
    });
  }, [point, decoder, side]);

  useEffect(() => {
    draw(false);
    const a = point.subscribe(() => draw(true));
    const b = decoder.subscribe(() => draw(false)); // new weights: redraw, not an input latency
    return () => {
      a();
      b();
    };
  }, [point, decoder, draw]);

  const setDim = (k: number, value: number, eventTime: number) => {
    const z = [...point.get().z];
    z[k] = value;
    point.set({ z, source: 'slider', eventTime });
  };

  const z = current.z;
  return (
    <>
      <div className="panel-header">
        <h2>Decoded {noun}</h2>
        <span className="panel-sub">the decoder's pixel intensities at the current z</span>
      </div>
      <div className="decoded-body">
        <figure className="decoded-figure">
          <canvas ref={canvasRef} className="digit-canvas" data-testid="decoded-digit" width={side} height={side} aria-label={`The ${noun} the decoder draws at z = (${z.map((v) => v.toFixed(2)).join(', ')})`} role="img" />
          <figcaption>
            z = ({z.map((v) => v.toFixed(2)).join(', ')})
          </figcaption>
          <button
            type="button"
            data-testid="sample-button"
            onClick={(e) => point.set({ z: sampleStandardNormal(z.length), source: 'sample', eventTime: e.timeStamp })}
            title="Draw z from the prior N(0, I) and decode it: what the VAE generates on its own"
          >
            Sample z ~ N(0, I)
          </button>
        </figure>
        <div className="sliders" role="group" aria-label="Latent coordinates">
          {z.map((v, k) => {
            const limit = Math.max(SLIDER_LIMIT, Math.ceil(Math.abs(v)));
            return (
              <label key={k} className="slider-row" title={`Latent dimension ${k + 1}; the prior puts 95% of its mass within ±1.96`}>
                <span className="slider-name">z{k + 1}</span>
                <input type="range" min={-limit} max={limit} step={0.01} value={v} onChange={(e) => setDim(k, Number(e.target.value), e.timeStamp)} aria-label={`z${k + 1}`} />
                <span className="slider-value">{v.toFixed(2)}</span>
              </label>
            );
          })}
        </div>
      </div>
    </>
  );
}
