/**
 * Draw a digit: a pad for mouse, pen or touch; the strokes become an MNIST-like 28×28 image on the main
 * thread (core/data/mnistify, well under a frame), which the worker encodes while the person draws
 * (one request at a time, the newest drawing waiting). Shown: what the model sees, its reconstruction
 * at the posterior mean and from one sample, the −ELBO in nats, and q(z|x) on the latent plot.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { mnistify, type Stroke, type StrokePoint } from '../../core/data/mnistify';
import type { Training } from '../hooks/useTraining';
import type { LatentPoint, Store } from '../state/store';
import { DigitImage } from './DigitImage';
import { drawSegment, redrawPad } from './draw-pad';
import { patchExplore, type DrawingCode, type ExploreState } from './explore-state';
import { refresher, type Refresher } from './refresher';

/** Props of `DrawPanel`. */
export interface DrawPanelProps {
  training: Pick<Training, 'encode' | 'model' | 'evaluations' | 'decoder'>;
  explore: Store<ExploreState>;
  point: Store<LatentPoint>;
  side: number;
  /** Re-encode the drawing when the weights change (while its tab, or a panel using it, is open). */
  live: boolean;
}

/** Samples of z behind the reconstruction term of the −ELBO. */
const ELBO_SAMPLES = 32;
/** Points closer than this (CSS pixels) to the previous one are not kept. */
const MIN_STEP = 1.5;

/** The test set's −ELBO for comparison: the latest evaluation here, else the manifest's, else null. */
function typicalLoss(training: DrawPanelProps['training']): number | null {
  const last = training.evaluations.at(-1);
  if (last) return last.total;
  const elbo = training.model?.training?.testElbo;
  return typeof elbo === 'number' && Number.isFinite(elbo) ? -elbo : null;
}

/** The posterior in words: μ and σ in full for a few dimensions, else |μ| and the range of σ. */
function posterior(mean: readonly number[], logVar: readonly number[]): string {
  const sigma = logVar.map((v) => Math.exp(v / 2));
  if (mean.length <= 4) return `μ = (${mean.map((x) => x.toFixed(2)).join(', ')}), σ = (${sigma.map((x) => x.toFixed(2)).join(', ')})`;
  return `μ has ${mean.length} coordinates, |μ| = ${Math.hypot(...mean).toFixed(2)}; σ from ${Math.min(...sigma).toFixed(2)} to ${Math.max(...sigma).toFixed(2)}`;
}

/** The drawing pad panel, canvas `data-testid="draw-pad"`. */
export function DrawPanel({ training, explore, point, side, live }: DrawPanelProps) {
  const padRef = useRef<HTMLCanvasElement>(null);
  const strokes = useRef<StrokePoint[][]>([]);
  const drawing = useRef<{ pointerId: number } | null>(null);
  const frame = useRef<number | null>(null);
  const [strokeCount, setStrokeCount] = useState(0);
  const [image, setImage] = useState<Float32Array | null>(null);
  const [code, setCode] = useState<DrawingCode | null>(explore.get().drawing);
  const imageRef = useRef<Float32Array | null>(null);
  const hasEncoder = training.model?.hasEncoder ?? true;
  const { encode } = training;

  // One encoding at a time; the newest drawing (or newest weights) waits for the next turn. The loop is
  // made and stopped by one effect: a loop made once (useMemo) and stopped by an effect's cleanup stays
  // stopped when React mounts the panel again (StrictMode's second mount in `npm run dev`, a remount), and
  // a drawing then never leaves "Encoding…".
  const encoder = useRef<Refresher | null>(null);
  useEffect(() => {
    const loop = refresher(async () => {
      const x = imageRef.current;
      if (!x) return;
      const reply = await encode(x, 1, 7, ELBO_SAMPLES);
      if (!reply || imageRef.current !== x) return; // stale, or the drawing changed meanwhile (the next run has it)
      const next: DrawingCode = {
        image: x,
        mean: Array.from(reply.means),
        logVar: Array.from(reply.logVars),
        atMean: reply.atMean,
        atSample: reply.atSample,
        reconstruction: reply.reconstruction[0],
        kl: reply.kl[0],
        step: reply.step,
      };
      setCode(next);
      patchExplore(explore, { drawing: next });
    });
    encoder.current = loop;
    return () => {
      loop.stop();
      if (encoder.current === loop) encoder.current = null;
    };
  }, [encode, explore]);

  /** The strokes changed: at the next frame, make the 28×28 image and ask for its encoding. */
  const changed = useCallback(() => {
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      const pad = padRef.current;
      const x = mnistify(strokes.current, { side, minExtent: (pad?.clientWidth ?? 0) * 0.15 });
      imageRef.current = x;
      setImage(x);
      if (!x) {
        setCode(null);
        patchExplore(explore, { drawing: null });
        return;
      }
      if (hasEncoder) encoder.current?.trigger();
    });
  }, [side, explore, hasEncoder]);
  useEffect(() => () => {
    if (frame.current !== null) cancelAnimationFrame(frame.current);
  }, []);

  // New weights (training, a new model) or a new encoding loop (`encode` changed): the same drawing,
  // encoded again. This effect runs after the loop's, so encoder.current is the new loop.
  const { decoder } = training;
  useEffect(() => {
    if (!live || !hasEncoder) return undefined;
    if (imageRef.current) encoder.current?.trigger();
    return decoder.subscribe(() => {
      if (imageRef.current) encoder.current?.trigger();
    });
  }, [live, hasEncoder, decoder, encode]);

  const at = (e: React.PointerEvent<HTMLCanvasElement>): StrokePoint => {
    const rect = e.currentTarget.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  };

  const onPointerDown = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    e.preventDefault();
    try {
      e.currentTarget.setPointerCapture(e.pointerId);
    } catch {
      // no capture: the stroke ends where the pointer leaves
    }
    const p = at(e);
    strokes.current.push([p]);
    drawing.current = { pointerId: e.pointerId };
    if (padRef.current) drawSegment(padRef.current, null, p);
    setStrokeCount(strokes.current.length);
    changed();
  };

  const onPointerMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (drawing.current?.pointerId !== e.pointerId) return;
    const stroke = strokes.current[strokes.current.length - 1];
    const rect = e.currentTarget.getBoundingClientRect();
    const events = e.nativeEvent.getCoalescedEvents?.() ?? [];
    const points = events.length > 0 ? events.map((c) => ({ x: c.clientX - rect.left, y: c.clientY - rect.top })) : [at(e)];
    let moved = false;
    for (const p of points) {
      const last = stroke[stroke.length - 1];
      if (Math.hypot(p.x - last.x, p.y - last.y) < MIN_STEP) continue;
      stroke.push(p);
      if (padRef.current) drawSegment(padRef.current, last, p);
      moved = true;
    }
    if (moved) changed();
  };

  const onPointerUp = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (drawing.current?.pointerId !== e.pointerId) return;
    drawing.current = null;
    try {
      if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
    } catch {
      // already released
    }
  };

  const replaceStrokes = (next: StrokePoint[][]) => {
    strokes.current = next;
    drawing.current = null;
    if (padRef.current) redrawPad(padRef.current, next as Stroke[]);
    setStrokeCount(next.length);
    changed();
  };

  const typical = typicalLoss(training);
  const negElbo = code ? code.reconstruction + code.kl : null;
  const pixels = side * side;
  return (
    <>
      <div className="panel-header">
        <h2>Draw a digit</h2>
        <span className="panel-sub">with a mouse, pen or finger: the encoder places it in the latent space as you draw, and the decoder redraws it</span>
      </div>
      <div className="draw-body">
        <div className="draw-pad-column">
          <canvas
            ref={padRef}
            className="draw-pad"
            data-testid="draw-pad"
            data-strokes={strokeCount}
            role="application"
            aria-roledescription="drawing pad"
            aria-label="Drawing pad: draw a digit here with a mouse, pen or finger"
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
            onPointerCancel={onPointerUp}
          />
          <div className="draw-buttons">
            <button type="button" onClick={() => replaceStrokes(strokes.current.slice(0, -1))} disabled={strokeCount === 0} title="Remove the last stroke">
              Undo stroke
            </button>
            <button type="button" onClick={() => replaceStrokes([])} disabled={strokeCount === 0} title="Start a new drawing">
              Clear
            </button>
          </div>
        </div>
        <div className="draw-views">
          <figure>
            <DigitImage pixels={image} side={side} label="Your drawing as the model sees it: 28 by 28 pixels, centred like MNIST" testId="draw-input" />
            <figcaption>what the model sees (28×28, centred like MNIST)</figcaption>
          </figure>
          <figure>
            <DigitImage pixels={image && code ? code.atMean : null} side={side} label="The decoder's reconstruction at the posterior mean" testId="draw-reconstruction" />
            <figcaption>redrawn from the mean μ</figcaption>
          </figure>
          <figure>
            <DigitImage pixels={image && code ? code.atSample : null} side={side} label="The decoder's reconstruction from one sample of q(z|x)" />
            <figcaption>from one sample z ~ q(z|x)</figcaption>
          </figure>
        </div>
        <div className="draw-readout" aria-live="polite">
          {!hasEncoder ? (
            <p>This model is a decoder alone, so a drawing cannot be encoded (that needs an encoder).</p>
          ) : !image ? (
            <p>Draw a digit on the pad. Its posterior q(z|x) will appear on the latent plot as ◇ with a dashed 1σ ellipse.</p>
          ) : !code ? (
            <p>Encoding…</p>
          ) : !Number.isFinite(code.kl) ? (
            <p data-testid="draw-elbo">
              Redrawn from μ at a reconstruction cost of {code.reconstruction.toFixed(1)} nats. This model's encoder gives the mean alone (no σ), so there is
              no posterior ellipse, KL or −ELBO to show.
            </p>
          ) : (
            <>
              <p className="draw-elbo" data-testid="draw-elbo" data-value={negElbo?.toFixed(3)}>
                −ELBO <strong>{negElbo!.toFixed(1)} nats</strong>
              </p>
              <p>
                = reconstruction {code.reconstruction.toFixed(1)} + KL {code.kl.toFixed(1)}
                {typical !== null ? `; a typical test digit: ${typical.toFixed(1)}` : ''}. Lower means more likely: the −ELBO bounds −log p(x) from
                above. That is {(negElbo! / (pixels * Math.LN2)).toFixed(3)} bits per pixel.
              </p>
              <p>
                q(z|x): {posterior(code.mean, code.logVar)}; on the latent plot: ◇ at μ and the dashed 1σ ellipse{code.mean.length > 2 ? ' (projected)' : ''}.
              </p>
              <button type="button" onClick={(e) => point.set({ z: [...code.mean], source: 'explore', eventTime: e.timeStamp })} title="Move the latent point z to the drawing's posterior mean">
                Move z to μ
              </button>
            </>
          )}
        </div>
      </div>
    </>
  );
}
