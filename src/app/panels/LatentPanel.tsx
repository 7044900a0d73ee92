/**
 * The latent scatter: encoder means of the test digits, one scattergl trace per class (the legend is
 * the colour key), refreshed without losing the user's zoom (uirevision). The current latent point
 * and the hovered posterior's σ ellipse are drawn on an SVG overlay through the axes' pixel mapping,
 * so a drag never waits for Plotly. In "move z" mode a press or drag anywhere in the plot sets z; with
 * the plot focused, arrow keys move z along the view's axes (Shift: further).
 */
import type { Data, Layout, PlotMouseEvent } from 'plotly.js';
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { ellipsePoints, projectedCovariance } from '../../core/latent/ellipse';
import { liftPoint, projectPoint } from '../../core/latent/plane';
import { drawLatentExtras, type LatentExtrasSource } from '../explore/latent-extras';
import type { LatentCodes, TestSet } from '../hooks/useTraining';
import { Plot, type PlotElement } from '../Plot';
import type { LatentPoint, Store } from '../state/store';
import type { PlaneView } from '../view';
import { ClassLegend } from './ClassLegend';
import { digitClasses } from './class-labels';
import { HoverCard, type HoverInfo } from './HoverCard';
import { dataToPixel, insideArea, pathOf, pixelToData, plotArea } from './latent-geometry';
import { describeZ, KEY_STEP, KEY_STEP_LARGE, steppedPoint } from './latent-keys';
import { capturePointer, focusFromPointer, releasePointer, showFocusRing } from './pointer-capture';
import { RadioGroup, type RadioOption } from './RadioGroup';
import { GL_CONTEXT, glPixelRatio, NO_TRACES, splitByClass, WARM_UP } from './latent-traces';

/** Props of `LatentPanel`. */
export interface LatentPanelProps {
  latents: LatentCodes | null;
  testSet: TestSet | null;
  view: PlaneView;
  point: Store<LatentPoint>;
  /** What the exploring panels draw on the plot: the drawing's posterior, the interpolation path. */
  extras?: LatentExtrasSource;
  /** Why the posterior σ is unavailable (an encoder that gives the mean alone), or null. */
  noSigma?: string | null;
}

type DragMode = 'move' | 'zoom' | 'pan';

const MODES: readonly RadioOption<DragMode>[] = [
  { value: 'move', label: 'move z', title: 'Drag or click to move the latent point z (scroll to zoom, double-click to reset)' },
  { value: 'zoom', label: 'zoom', title: 'Drag a box to zoom in (click still moves z)' },
  { value: 'pan', label: 'pan', title: 'Drag to pan (click still moves z)' },
];

/** New codes redraw the scatter at most this often (the worker sends them every 1.5 s or more). */
const SCATTER_INTERVAL_MS = 1000;

/** The latent panel, `data-testid="latent-plot"`. */
export function LatentPanel({ latents, testSet, view, point, extras, noSigma = null }: LatentPanelProps) {
  const plotRef = useRef<PlotElement | null>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const markerRef = useRef<SVGGElement>(null);
  const ellipseRef = useRef<SVGPathElement>(null);
  const extrasRef = useRef<SVGGElement>(null);
  const clipRef = useRef<SVGRectElement>(null);
  const uid = useId().replace(/:/g, '');
  const clipId = `plot-area-${uid}`;
  const helpId = `latent-help-${uid}`;
  const whereRef = useRef<HTMLSpanElement>(null);
  const announceRef = useRef<HTMLSpanElement>(null);
  const lastSet = useRef({ x: NaN, y: NaN, time: 0 });
  const [dragMode, setDragMode] = useState<DragMode>('move');
  const [showSigma, setShowSigma] = useState(true);
  const [hover, setHover] = useState<HoverInfo | null>(null);
  const drag = useRef<{ active: boolean; down: [number, number] | null }>({ active: false, down: null });

  const [hiddenClasses, setHiddenClasses] = useState<ReadonlySet<number>>(new Set());
  const split = useMemo(() => splitByClass(latents, testSet, view), [latents, testSet, view]);
  const items = digitClasses(split.names, split.indices.length) ? 'digits' : 'images'; // the wording says "digits" for digits only
  /** WebGL start-up: 'cold' (none), 'context' (contexts made), 'warm' (shaders compiled), 'drawn' (codes shown). */
  const [gl, setGl] = useState<'cold' | 'context' | 'warm' | 'drawn'>('cold');
  /**
   * Codes on the chart now (null before the first draw of codes). Redraws wait their turn in the
   * page's queue (seconds while training), so the caption counts what is drawn, not what has come.
   */
  const [drawnCount, setDrawnCount] = useState<number | null>(null);
  const traces = useMemo(() => {
    if (gl === 'cold') return split.points === 0 ? NO_TRACES : GL_CONTEXT;
    if (gl === 'context') return WARM_UP;
    return split.traces.map((t, c) => (hiddenClasses.has(c) ? { ...t, visible: false } : t));
  }, [split, hiddenClasses, gl]);
  const onAfterPlot = (el: PlotElement) => {
    drawOverlay(hoverRef.current);
    const shown = (el as { data?: Data[] }).data;
    if (gl === 'cold' && shown === GL_CONTEXT) setGl('context');
    else if (gl === 'context' && shown === WARM_UP) setGl('warm');
    else if (gl === 'warm' && shown !== WARM_UP) setGl('drawn');
    if (shown && (gl === 'drawn' || (gl === 'warm' && shown !== WARM_UP))) setDrawnCount(shown.reduce((sum, t) => sum + ((t as { x?: ArrayLike<number> }).x?.length ?? 0), 0));
  };
  // The extent as a value: a new layout object (a relayout, drawn at once) only when it changes.
  const extentKey = split.extent.flat().join(',');
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const extent = useMemo(() => split.extent, [extentKey]);
  const latest = useRef({ split, view, latents, showSigma: showSigma && !noSigma, noSigma });
  latest.current = { split, view, latents, showSigma: showSigma && !noSigma, noSigma };

  const layout = useMemo<Partial<Layout>>(
    () => ({
      uirevision: view.key,
      dragmode: dragMode === 'move' ? false : dragMode,
      margin: { l: 50, r: 58, t: 8, b: 42 },
      font: { family: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size: 12, color: '#222' },
      // ticklabeloverflow 'allow': Plotly's default measures every tick label against every other
      // (getBoundingClientRect in a double loop), a third of a redraw; the margins leave room anyway.
      xaxis: { range: extent[0], autorange: false, title: { text: `${view.axisNames[0]}  (encoder mean)`, standoff: 6 }, zeroline: true, zerolinecolor: '#d0d0d0', gridcolor: '#f0f0f0', ticklabeloverflow: 'allow' },
      yaxis: { range: extent[1], autorange: false, title: { text: view.axisNames[1], standoff: 4 }, zeroline: true, zerolinecolor: '#d0d0d0', gridcolor: '#f0f0f0', ticklabeloverflow: 'allow' },
      hovermode: 'closest',
      showlegend: false,
      hoverdistance: 8,
      paper_bgcolor: 'white',
      plot_bgcolor: 'white',
    }),
    [view, dragMode, extent],
  );
  // plotGlPixelRatio: Plotly draws WebGL at twice the screen's resolution by default; at the
  // screen's own there are a quarter of the pixels to render and, without a GPU, to copy each frame.
  const config = useMemo(() => ({ scrollZoom: true, displayModeBar: false, doubleClick: 'reset' as const, plotGlPixelRatio: glPixelRatio() }), []);

  /** Moves the marker (and the σ ellipse) to where they belong now. */
  const drawOverlay = useCallback((hovered: HoverInfo | null = null) => {
    const el = plotRef.current;
    const marker = markerRef.current;
    const ellipse = ellipseRef.current;
    if (!el || !marker || !ellipse) return;
    const area = plotArea(el);
    if (area && clipRef.current) {
      clipRef.current.setAttribute('x', String(area.left));
      clipRef.current.setAttribute('y', String(area.top));
      clipRef.current.setAttribute('width', String(area.width));
      clipRef.current.setAttribute('height', String(area.height));
    }
    const { z } = point.get();
    const { view: v, latents: codes, showSigma: sigmaOn } = latest.current;
    const where = `Current z: ${describeZ(z, v)}.`;
    if (whereRef.current && whereRef.current.textContent !== where) whereRef.current.textContent = where;
    const [u, w] = z.length === v.plane.a1.length ? projectPoint(z, v.plane) : [NaN, NaN];
    const px = dataToPixel(el, u, w);
    const visible = area && px && Number.isFinite(px[0]) && insideArea(area, px[0], px[1]);
    marker.setAttribute('visibility', visible ? 'visible' : 'hidden');
    if (visible) marker.setAttribute('transform', `translate(${px[0].toFixed(1)},${px[1].toFixed(1)})`);
    let path = '';
    if (hovered && sigmaOn && codes && codes.latentDim === v.plane.a1.length) {
      const d = codes.latentDim;
      const mean = codes.means.subarray(hovered.index * d, (hovered.index + 1) * d);
      const [cu, cv] = projectPoint(mean, v.plane);
      const cov = projectedCovariance(codes.logVars.subarray(hovered.index * d, (hovered.index + 1) * d), v.plane);
      const pts = ellipsePoints(cu, cv, cov, 1, 48).map(([a, b]): [number, number] => dataToPixel(el, a, b) ?? [0, 0]);
      path = pathOf(pts);
    }
    ellipse.setAttribute('d', path);
    if (extrasRef.current) drawLatentExtras(extrasRef.current, el, v.plane, extras?.get() ?? null);
  }, [point, extras]);

  const hoverRef = useRef<HoverInfo | null>(null);
  hoverRef.current = hover;
  useEffect(() => point.subscribe(() => drawOverlay(hoverRef.current)), [point, drawOverlay]);
  useEffect(() => extras?.subscribe(() => drawOverlay(hoverRef.current)), [extras, drawOverlay]);
  useEffect(() => drawOverlay(hover), [hover, showSigma, view, latents, drawOverlay]);

  const onInit = useCallback((el: PlotElement) => {
    plotRef.current = el;
    el.addEventListener('blur', () => showFocusRing(el));
    el.on('plotly_hover', (ev: PlotMouseEvent) => {
      if (drag.current.active) return;
      const p = ev.points[0];
      const { split: s, view: v, latents: codes } = latest.current;
      const index = s.indices[p.curveNumber]?.[p.pointIndex ?? p.pointNumber];
      if (index === undefined) return;
      const px = dataToPixel(el, Number(p.x), Number(p.y));
      let sigma: [number, number] | null = null;
      if (codes && codes.latentDim === v.plane.a1.length && !latest.current.noSigma) {
        const d = codes.latentDim;
        const cov = projectedCovariance(codes.logVars.subarray(index * d, (index + 1) * d), v.plane);
        sigma = [Math.sqrt(cov.xx), Math.sqrt(cov.yy)];
      }
      setHover(px ? { index, x: px[0], y: px[1], sigma } : null);
    });
    el.on('plotly_unhover', () => setHover(null));
  }, []);

  const localXY = (e: React.PointerEvent): [number, number] | null => {
    const el = plotRef.current;
    if (!el) return null;
    const rect = el.getBoundingClientRect();
    return [e.clientX - rect.left, e.clientY - rect.top];
  };

  const setFromPixel = (x: number, y: number, eventTime: number) => {
    if (x === lastSet.current.x && y === lastSet.current.y) return;
    lastSet.current = { x, y, time: performance.now() };
    const el = plotRef.current;
    const uv = el ? pixelToData(el, x, y) : null;
    const { view: v } = latest.current;
    if (!uv || !Number.isFinite(uv[0]) || !Number.isFinite(uv[1])) return;
    const base = point.get().z;
    const z = liftPoint(uv[0], uv[1], v.plane, base.length === v.plane.a1.length ? base : new Array<number>(v.plane.a1.length).fill(0));
    point.set({ z, source: 'drag', eventTime });
  };

  /** Arrow keys move z along the view's axes; the new point is announced (a press is an answer, not chatter). */
  const onKeyDown = (e: React.KeyboardEvent<HTMLDivElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const { view: v } = latest.current;
    const z = steppedPoint(e.key, e.shiftKey, point.get().z, v.plane);
    if (!z) return;
    e.preventDefault(); // no page scroll
    showFocusRing(e.currentTarget); // the keyboard is in use
    setHover(null);
    point.set({ z, source: 'keyboard', eventTime: e.timeStamp });
    if (announceRef.current) announceRef.current.textContent = describeZ(z, v);
  };

  const onPointerDown = (e: React.PointerEvent<HTMLDivElement>) => {
    const el = plotRef.current;
    const xy = localXY(e);
    const area = el ? plotArea(el) : null;
    if (!xy || !area || !insideArea(area, xy[0], xy[1]) || e.button !== 0) return;
    if (el) focusFromPointer(el); // arrow keys then go on from where the press put z
    if (dragMode === 'move') {
      e.preventDefault(); // also keeps Plotly from starting its own drag (no compatibility mousedown)
      capturePointer(e.currentTarget, e.pointerId);
      drag.current = { active: true, down: null };
      setHover(null);
      setFromPixel(xy[0], xy[1], e.timeStamp);
    } else {
      drag.current = { active: false, down: xy };
    }
  };
  const onPointerMove = (e: React.PointerEvent<HTMLDivElement>) => {
    if (!drag.current.active) return;
    const xy = localXY(e);
    if (xy) setFromPixel(xy[0], xy[1], e.timeStamp);
  };
  // Chromium's pointerrawupdate arrives as soon as the pointer moves, not at the next frame like
  // pointermove: decoding on it keeps pointer-to-pixels latency well inside one frame.
  useEffect(() => {
    const box = boxRef.current;
    if (!box) return undefined;
    const onRaw = (e: Event) => {
      const pe = e as PointerEvent;
      if (!drag.current.active || performance.now() - lastSet.current.time < 4) return;
      const el = plotRef.current;
      if (!el) return;
      const rect = el.getBoundingClientRect();
      setFromPixelRef.current(pe.clientX - rect.left, pe.clientY - rect.top, pe.timeStamp);
    };
    box.addEventListener('pointerrawupdate', onRaw);
    return () => box.removeEventListener('pointerrawupdate', onRaw);
  }, []);
  const setFromPixelRef = useRef(setFromPixel);
  setFromPixelRef.current = setFromPixel;

  const onPointerUp = (e: React.PointerEvent<HTMLDivElement>) => {
    const { active, down } = drag.current;
    const xy = localXY(e);
    if (!active && down && xy && Math.hypot(xy[0] - down[0], xy[1] - down[1]) < 4) setFromPixel(xy[0], xy[1], e.timeStamp);
    if (active) releasePointer(e.currentTarget, e.pointerId);
    drag.current = { active: false, down: null };
  };

  const count = drawnCount ?? latents?.count ?? 0;
  return (
    <>
      <div className="panel-header">
        <h2>Latent space</h2>
        <span className="panel-sub">
          {count > 0 ? `encoder means of ${count.toLocaleString('en')} test ${items}` : `encoding the test ${items}…`}; <span className="marker-key">✚</span> current z
        </span>
        <RadioGroup label="What dragging in the plot does" options={MODES} value={dragMode} onChange={setDragMode} />
        <label className="inline-toggle" title={noSigma ?? `While hovering a test ${items.slice(0, -1)}, draw the 1σ ellipse of its posterior q(z|x)`}>
          <input type="checkbox" checked={showSigma && !noSigma} disabled={noSigma !== null} onChange={(e) => setShowSigma(e.target.checked)} /> σ on hover
        </label>
      </div>
      <div ref={boxRef} className={`plot-box latent-box mode-${dragMode}`} onPointerDownCapture={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp} onPointerCancel={onPointerUp}>
        <Plot
          className="plot"
          testId="latent-plot"
          role="application"
          tabIndex={0}
          ariaLabel={`Latent space: ${count > 0 ? `encoder means of ${count.toLocaleString('en')} test ${items}` : 'the latent point'}, ${view.axisNames[0]} across, ${view.axisNames[1]} up`}
          ariaDescribedBy={helpId}
          onKeyDown={onKeyDown}
          data={traces}
          layout={layout}
          config={config}
          minIntervalMs={gl === 'drawn' ? SCATTER_INTERVAL_MS : 0}
          onInit={onInit}
          onAfterPlot={onAfterPlot}
        />
        <span id={helpId} className="visually-hidden">
          <span ref={whereRef} /> Arrow keys move z by {KEY_STEP}, with Shift by {KEY_STEP_LARGE}.
        </span>
        <span ref={announceRef} className="visually-hidden" aria-live="polite" />
        <svg className="overlay" aria-hidden="true">
          <defs>
            <clipPath id={clipId}>
              <rect ref={clipRef} x="0" y="0" width="0" height="0" />
            </clipPath>
          </defs>
          <path ref={ellipseRef} className="sigma-ellipse" d="" clipPath={`url(#${clipId})`} />
          <g ref={extrasRef} clipPath={`url(#${clipId})`} />
          <g ref={markerRef} className="z-marker" visibility="hidden">
            <circle r="9" />
            <path d="M-14,0H-5M5,0H14M0,-14V-5M0,5V14" />
          </g>
        </svg>
        <ClassLegend count={split.indices.length} names={split.names} hidden={hiddenClasses} onToggle={(c) => setHiddenClasses((h) => { const next = new Set(h); if (next.has(c)) next.delete(c); else next.add(c); return next; })} />
        {hover && testSet ? <HoverCard info={hover} testSet={testSet} boxWidth={boxRef.current?.clientWidth ?? 600} /> : null}
      </div>
    </>
  );
}
