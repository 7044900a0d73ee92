/**
 * Interpolation: a walk from endpoint A to endpoint B through the full latent space (a straight line or
 * a great circle), decoded into a strip of frames and drawn on the latent plot. Endpoints are test
 * digits (picked on the plot, or the digit z was moved to from the reconstructions), the drawing, or
 * the current z; digit and drawing endpoints follow the encoder as it trains, and the frames follow
 * the decoder.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Training } from '../hooks/useTraining';
import { RadioGroup } from '../panels/RadioGroup';
import { useStore, type LatentPoint, type Store } from '../state/store';
import type { PlaneView } from '../view';
import { DigitImage } from './DigitImage';
import { patchExplore, type ExploreState } from './explore-state';
import { downloadTilesPng } from './export';
import { decodeFrames, defaultEndpoints, describeEndpoint, endpointZ, nearestDigit, pathBetween, type Endpoint, type PathKind } from './interpolation';
import { refresher } from './refresher';
import { drawStrip } from './strip';

/** Props of `InterpolationPanel`. */
export interface InterpolationPanelProps {
  training: Pick<Training, 'testSet' | 'latents' | 'decoder' | 'decodeBatch' | 'model'>;
  point: Store<LatentPoint>;
  explore: Store<ExploreState>;
  view: PlaneView;
  side: number;
  /** True while the tab is open: the path shows on the latent plot and the frames follow training. */
  active: boolean;
}

const PATHS = [
  { value: 'linear' as const, label: 'straight line', title: 'Walk along the straight line from A to B' },
  { value: 'spherical' as const, label: 'spherical (slerp)', title: 'Walk along the great circle, keeping |z| between |A| and |B|: in many dimensions the prior puts its mass near |z| ≈ √d, not near the centre a straight line passes' },
];

/** The interpolation panel, strip `data-testid="interpolation"`. */
export function InterpolationPanel({ training, point, explore, view, side, active }: InterpolationPanelProps) {
  const { testSet, latents, decoder, decodeBatch } = training;
  const shared = useStore(explore);
  const latentDim = training.model?.latentDim ?? latents?.latentDim ?? point.get().z.length;
  const [ends, setEnds] = useState<[Endpoint | null, Endpoint | null]>([null, null]);
  const [how, setHow] = useState<PathKind>('linear');
  const [count, setCount] = useState(10);
  /** The endpoints the next presses in the latent plot set, in order (A then B, or one of them). */
  const [picking, setPicking] = useState<(0 | 1)[]>([]);
  const [snap, setSnap] = useState(true);
  const [frames, setFrames] = useState<{ pixels: Float32Array; points: number[][] } | null>(null);
  const stripRef = useRef<HTMLCanvasElement>(null);

  // Two test digits to start with (a 1 and a 0), once the test set is in.
  useEffect(() => {
    if (testSet && ends[0] === null && ends[1] === null) {
      const d = defaultEndpoints(testSet);
      if (d) setEnds(d);
    }
  }, [testSet, ends]);

  const a = endpointZ(ends[0], latentDim, latents, shared);
  const b = endpointZ(ends[1], latentDim, latents, shared);
  const key = a && b ? `${a.join(',')}|${b.join(',')}|${how}|${count}` : '';
  // The same path object until an endpoint moves (a digit's code, the drawing) or the settings change.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const path = useMemo(() => (a && b ? pathBetween(a, b, count, how) : null), [key]);
  const pathRef = useRef(path);
  pathRef.current = path;

  // The path on the latent plot while the tab is open.
  useEffect(() => {
    patchExplore(explore, { path: active && pathRef.current ? pathRef.current : null });
  }, [explore, active, key]);
  useEffect(() => () => patchExplore(explore, { path: null }), [explore]);

  // Frames: decoded again when the path moves or new weights arrive (one decoding at a time).
  useEffect(() => {
    if (!active) return undefined;
    const loop = refresher(async () => {
      const p = pathRef.current;
      if (!p) return setFrames(null);
      const pixels = await decodeFrames(p.frames, side * side, decoder.get(), decodeBatch);
      if (pixels && pathRef.current === p) setFrames({ pixels, points: p.frames });
    });
    loop.trigger();
    const off = decoder.subscribe(() => loop.trigger());
    return () => {
      off();
      loop.stop();
    };
  }, [active, key, decoder, decodeBatch, side]);

  useEffect(() => {
    if (stripRef.current && frames) drawStrip(stripRef.current, frames.pixels, frames.points.length, side);
  }, [frames, side]);

  // Picking on the plot: the next press in the latent plot sets the endpoint (snapped to the nearest test digit).
  const pickRef = useRef({ picking, snap, latents, view });
  pickRef.current = { picking, snap, latents, view };
  useEffect(() => {
    if (picking.length === 0) return undefined;
    const onUp = (e: PointerEvent) => {
      const plot = document.querySelector('[data-testid="latent-plot"]');
      const r = plot?.getBoundingClientRect();
      if (!r || e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom) return;
      const { picking: queue, snap: snapOn, latents: codes, view: v } = pickRef.current;
      const which = queue[0];
      if (which === undefined) return;
      const z = point.get().z;
      const index = snapOn ? nearestDigit(z, codes, v.plane) : -1;
      const end: Endpoint = index >= 0 ? { kind: 'digit', index } : { kind: 'point', z: [...z] };
      setEnds((old) => (which === 0 ? [end, old[1]] : [old[0], end]));
      if (index >= 0 && codes) point.set({ z: Array.from(codes.means.subarray(index * codes.latentDim, (index + 1) * codes.latentDim)), source: 'explore', eventTime: e.timeStamp });
      setPicking(queue.slice(1));
    };
    // Bubbling to the window: after the latent panel has set z for this press.
    window.addEventListener('pointerup', onUp);
    return () => window.removeEventListener('pointerup', onUp);
  }, [picking, point]);

  /** The current z as an endpoint: the test digit it was moved to, when it is still there. */
  const currentEndpoint = (): Endpoint => {
    const z = point.get().z;
    const digit = shared.digit;
    if (digit && digit.z.length === z.length && digit.z.every((v, k) => v === z[k])) return { kind: 'digit', index: digit.index };
    return { kind: 'point', z: [...z] };
  };
  const setEnd = (which: 0 | 1, end: Endpoint) => setEnds((old) => (which === 0 ? [end, old[1]] : [old[0], end]));

  const onStripClick = (e: React.MouseEvent<HTMLCanvasElement>) => {
    if (!frames) return;
    const rect = e.currentTarget.getBoundingClientRect();
    const i = Math.min(frames.points.length - 1, Math.max(0, Math.floor(((e.clientX - rect.left) / Math.max(1, rect.width)) * frames.points.length)));
    point.set({ z: [...frames.points[i]], source: 'explore', eventTime: e.timeStamp });
  };

  const norms = path?.frames.map((z) => Math.hypot(...z)) ?? [];
  const px = side * side;
  const thumb = (end: Endpoint | null) => {
    if (end?.kind === 'digit' && testSet && end.index < testSet.count) return <DigitImage pixels={testSet.images} bytes offset={end.index * px} side={side} label={describeEndpoint(end, testSet)} />;
    if (end?.kind === 'drawing') return <DigitImage pixels={shared.drawing?.image ?? null} side={side} label="your drawing" />;
    return <DigitImage pixels={null} side={side} label="a latent point" />;
  };

  return (
    <>
      <div className="panel-header">
        <h2>Interpolation</h2>
        <span className="panel-sub">decoded frames on a path from A to B through the latent space (drawn on the latent plot); click a frame to move z there</span>
      </div>
      <div className="interp-controls">
        <RadioGroup label="Path" options={PATHS} value={how} onChange={setHow} />
        <label className="inline-field" title="Number of decoded frames, A and B included">
          frames
          <input type="number" min={3} max={24} value={count} onChange={(e) => setCount(Math.max(3, Math.min(24, Math.round(Number(e.target.value) || 10))))} />
        </label>
        <button type="button" className={`small-button${picking.length > 0 ? ' on' : ''}`} aria-pressed={picking.length > 0} onClick={() => setPicking(picking.length > 0 ? [] : [0, 1])} title="Click two places in the latent plot: the first sets A, the second B">
          {picking.length === 0 ? 'Pick A and B on the plot' : `Click the latent plot to set ${picking[0] === 0 ? 'A' : 'B'}… (click here to stop)`}
        </button>
        <label className="inline-toggle" title="A click in the plot picks the test digit nearest to it">
          <input type="checkbox" checked={snap} onChange={(e) => setSnap(e.target.checked)} /> snap to test digits
        </label>
        <button type="button" className="small-button" onClick={() => setEnds(([x, y]) => [y, x])} title="Swap A and B">
          Swap
        </button>
        <button
          type="button"
          className="small-button"
          disabled={!frames}
          onClick={() => frames && void downloadTilesPng(`interpolation-${how}-${frames.points.length}.png`, frames.pixels, 1, frames.points.length, side, 4, false)}
          title="Save the strip of frames as a PNG image"
        >
          Export PNG
        </button>
      </div>
      <div className="interp-ends">
        {([0, 1] as const).map((which) => (
          <div key={which} className="interp-end">
            <span className="interp-end-name">{which === 0 ? 'A' : 'B'}</span>
            {thumb(ends[which])}
            <span className="interp-end-text" data-testid={`interpolation-end-${which === 0 ? 'a' : 'b'}`}>
              {describeEndpoint(ends[which], testSet)}
              {ends[which] && !(which === 0 ? a : b) ? ' (not available yet)' : ''}
            </span>
            <button type="button" className="small-button" onClick={() => setPicking([which])} title={`Click the latent plot to set ${which === 0 ? 'A' : 'B'} (to the nearest test digit when snapping)`}>
              pick on plot
            </button>
            <button type="button" className="small-button" onClick={() => setEnd(which, currentEndpoint())} title={`Set ${which === 0 ? 'A' : 'B'} to the current latent point z (the test digit itself when z was moved to one from the Reconstructions strip)`}>
              current z
            </button>
            <button type="button" className="small-button" onClick={() => setEnd(which, { kind: 'drawing' })} disabled={!shared.drawing} title={`Set ${which === 0 ? 'A' : 'B'} to your drawing's posterior mean (draw one in the Draw tab)`}>
              drawing
            </button>
          </div>
        ))}
      </div>
      <canvas
        ref={stripRef}
        className="interp-strip"
        data-testid="interpolation"
        data-frames={frames?.points.length ?? 0}
        data-path={how}
        onClick={onStripClick}
        role="img"
        aria-label={`${count} decoded frames from A (${describeEndpoint(ends[0], testSet)}) to B (${describeEndpoint(ends[1], testSet)}) along a ${how === 'linear' ? 'straight line' : 'great circle'}`}
      />
      <p className="panel-note">
        {norms.length > 0
          ? `|z| along the path: ${norms[0].toFixed(2)} at A, ${Math.min(...norms).toFixed(2)} at its lowest, ${norms[norms.length - 1].toFixed(2)} at B` +
            (latentDim > 2 ? `; the prior N(0, I) puts most of its mass near |z| ≈ √${latentDim} = ${Math.sqrt(latentDim).toFixed(2)}, where the spherical path stays.` : '.')
          : 'Choose A and B.'}
      </p>
    </>
  );
}
