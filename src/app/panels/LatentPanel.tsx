/**
 * The latent scatter: encoder means of the test digits, one scattergl trace per class (the legend is
 * the colour key), refreshed without losing the user's zoom (uirevision). The current latent point
 * and the hovered posterior's σ ellipse are drawn on an SVG overlay through the axes' pixel mapping,
 * so a drag never waits for Plotly. In "move z" mode a press or drag anywhere in the plot sets z.
 */
import type { Data, Layout, PlotMouseEvent } from 'plotly.js';
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { ellipsePoints, projectedCovariance } from '../../core/latent/ellipse';
import { liftPoint, projectPoint } from '../../core/latent/plane';
import { CLASS_COLORS } from '../draw';
import type { LatentCodes, TestSet } from '../hooks/useTraining';
import { Plot, type PlotElement } from '../Plot';
import type { LatentPoint, Store } from '../state/store';
import type { PlaneView } from '../view';
import { ClassLegend } from './ClassLegend';
import { HoverCard, type HoverInfo } from './HoverCard';
import { dataToPixel, insideArea, pathOf, pixelToData, plotArea } from './latent-geometry';
import { splitByClass } from './latent-traces';

/** Props of `LatentPanel`. */
export interface LatentPanelProps {
  latents: LatentCodes | null;
  testSet: TestSet | null;
  view: PlaneView;
  point: Store<LatentPoint>;
}

type DragMode = 'move' | 'zoom' | 'pan';

/** New codes redraw the scatter at most this often (the worker sends them every 1.5 s or more). */
const SCATTER_INTERVAL_MS = 1000;

/**
 * WebGL start-up, spread over tasks of its own before the first draw of the 10,000 codes: with
 * software rendering, creating the contexts costs about 100 ms and compiling the marker shaders
 * about 70 ms more, which in one task with the codes made a task of 200-300 ms. First a trace that
 * draws nothing (mode 'none': Plotly creates the WebGL contexts), then one marker far outside the
 * axes (Plotly compiles the scatter shaders). Neither has an x array, so no test counts them as
 * points. This waits for the first codes because the worker is idle then (it sends them last
 * after loading); while it computes on every core the same tasks take twice as long.
 */
const GL_CONTEXT: Data[] = [{ type: 'scattergl', mode: 'none', y: [1e6], x0: 1e6, hoverinfo: 'skip', showlegend: false } as Data];
const WARM_UP: Data[] = [{ type: 'scattergl', mode: 'markers', y: [1e6], x0: 1e6, hoverinfo: 'skip', showlegend: false, marker: { color: CLASS_COLORS[0], size: 4, opacity: 0.65 } } as Data];
/** Before any codes: axes only, no WebGL yet. */
const NO_TRACES: Data[] = [];

/** The screen's pixel ratio, within [1, 2]. */
function glPixelRatio(): number {
  return Math.min(2, Math.max(1, globalThis.devicePixelRatio || 1));
}

/**
 * Keeps a drag's pointer events coming to `el`. The browser may refuse (a pen or touch pointer that
 * is already gone throws NotFoundError): the drag then goes on without capture rather than failing.
 */
function capturePointer(el: Element, pointerId: number): void {
  try {
    el.setPointerCapture(pointerId);
  } catch {
    // no capture: moves outside the box are missed, the press itself still sets z
  }
}

/** Ends a capture started by `capturePointer`, whatever state the pointer is in. */
function releasePointer(el: Element, pointerId: number): void {
  try {
    if (el.hasPointerCapture(pointerId)) el.releasePointerCapture(pointerId);
  } catch {
    // already released with the pointer
  }
}

/** The latent panel, `data-testid="latent-plot"`. */
export function LatentPanel({ latents, testSet, view, point }: LatentPanelProps) {
  const plotRef = useRef<PlotElement | null>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const markerRef = useRef<SVGGElement>(null);
  const ellipseRef = useRef<SVGPathElement>(null);
  const clipRef = useRef<SVGRectElement>(null);
  const clipId = `plot-area-${useId().replace(/:/g, '')}`;
  const lastSet = useRef({ x: NaN, y: NaN, time: 0 });
  const [dragMode, setDragMode] = useState<DragMode>('move');
  const [showSigma, setShowSigma] = useState(true);
  const [hover, setHover] = useState<HoverInfo | null>(null);
  const drag = useRef<{ active: boolean; down: [number, number] | null }>({ active: false, down: null });

  const [hiddenClasses, setHiddenClasses] = useState<ReadonlySet<number>>(new Set());
  const split = useMemo(() => splitByClass(latents, testSet, view), [latents, testSet, view]);
  /** WebGL start-up: 'cold' (none), 'context' (contexts made), 'warm' (shaders compiled), 'drawn' (codes shown). */
  const [gl, setGl] = useState<'cold' | 'context' | 'warm' | 'drawn'>('cold');
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
  };
  // The extent as a value: a new layout object (a relayout, drawn at once) only when it changes.
  const extentKey = split.extent.flat().join(',');
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const extent = useMemo(() => split.extent, [extentKey]);
  const latest = useRef({ split, view, latents, showSigma });
  latest.current = { split, view, latents, showSigma };

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
  }, [point]);

  const hoverRef = useRef<HoverInfo | null>(null);
  hoverRef.current = hover;
  useEffect(() => point.subscribe(() => drawOverlay(hoverRef.current)), [point, drawOverlay]);
  useEffect(() => drawOverlay(hover), [hover, showSigma, view, latents, drawOverlay]);

  const onInit = useCallback((el: PlotElement) => {
    plotRef.current = el;
    el.on('plotly_hover', (ev: PlotMouseEvent) => {
      if (drag.current.active) return;
      const p = ev.points[0];
      const { split: s, view: v, latents: codes } = latest.current;
      const index = s.indices[p.curveNumber]?.[p.pointIndex ?? p.pointNumber];
      if (index === undefined) return;
      const px = dataToPixel(el, Number(p.x), Number(p.y));
      let sigma: [number, number] | null = null;
      if (codes && codes.latentDim === v.plane.a1.length) {
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

  const onPointerDown = (e: React.PointerEvent<HTMLDivElement>) => {
    const el = plotRef.current;
    const xy = localXY(e);
    const area = el ? plotArea(el) : null;
    if (!xy || !area || !insideArea(area, xy[0], xy[1]) || e.button !== 0) return;
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

  const count = latents?.count ?? 0;
  return (
    <>
      <div className="panel-header">
        <h2>Latent space</h2>
        <span className="panel-sub">
          {count > 0 ? `encoder means of ${count.toLocaleString('en')} test digits` : 'encoding the test digits…'}; <span className="marker-key">✚</span> current z
        </span>
        <div className="segmented" role="radiogroup" aria-label="What dragging in the plot does">
          {(['move', 'zoom', 'pan'] as const).map((m) => (
            <button key={m} type="button" role="radio" aria-checked={dragMode === m} className={dragMode === m ? 'on' : ''} onClick={() => setDragMode(m)} title={m === 'move' ? 'Drag or click to move the latent point z (scroll to zoom, double-click to reset)' : m === 'zoom' ? 'Drag a box to zoom in (click still moves z)' : 'Drag to pan (click still moves z)'}>
              {m === 'move' ? 'move z' : m}
            </button>
          ))}
        </div>
        <label className="inline-toggle" title="While hovering a digit, draw the 1σ ellipse of its posterior q(z|x)">
          <input type="checkbox" checked={showSigma} onChange={(e) => setShowSigma(e.target.checked)} /> σ on hover
        </label>
      </div>
      <div ref={boxRef} className={`plot-box latent-box mode-${dragMode}`} onPointerDownCapture={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp} onPointerCancel={onPointerUp}>
        <Plot className="plot" testId="latent-plot" ariaLabel="Latent space scatter of the test digits" data={traces} layout={layout} config={config} minIntervalMs={gl === 'drawn' ? SCATTER_INTERVAL_MS : 0} onInit={onInit} onAfterPlot={onAfterPlot} />
        <svg className="overlay" aria-hidden="true">
          <defs>
            <clipPath id={clipId}>
              <rect ref={clipRef} x="0" y="0" width="0" height="0" />
            </clipPath>
          </defs>
          <path ref={ellipseRef} className="sigma-ellipse" d="" clipPath={`url(#${clipId})`} />
          <g ref={markerRef} className="z-marker" visibility="hidden">
            <circle r="9" />
            <path d="M-14,0H-5M5,0H14M0,-14V-5M0,5V14" />
          </g>
        </svg>
        <ClassLegend count={split.indices.length} hidden={hiddenClasses} onToggle={(c) => setHiddenClasses((h) => { const next = new Set(h); if (next.has(c)) next.delete(c); else next.add(c); return next; })} />
        {hover && testSet ? <HoverCard info={hover} testSet={testSet} boxWidth={boxRef.current?.clientWidth ?? 600} /> : null}
      </div>
    </>
  );
}
