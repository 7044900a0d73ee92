/**
 * The one owner of Plotly: a partial bundle (core + scatter + scattergl only) and a React wrapper
 * that redraws with `Plotly.react` when data or layout change, resizes with its box, and hands the
 * plot element (with its axis objects) to panels that need pixel <-> data conversions. Redraws go
 * through the page's redraw queue (one chart per task, each chart at most every `minIntervalMs`),
 * so that no main-thread task holds two of them; the box's size is measured here and passed in the
 * layout, so a resize is one more queued redraw rather than a relayout of Plotly's own.
 */
import Plotly from 'plotly.js/lib/core';
import scatter from 'plotly.js/lib/scatter';
// scattergl's precompiled build: the default one generates its WebGL code with Function(), which the
// Content-Security-Policy forbids (scripts/lib/security-headers.ts).
import scattergl from 'plotly.js/src/traces/scattergl/strict';
import type { Config, Data, Layout, PlotlyHTMLElement } from 'plotly.js';
import { useEffect, useRef, type KeyboardEventHandler } from 'react';
import { recordPlot } from './perf';
import { hideGraphics, rovingToolbar, toolbarKey } from './plot-a11y';
import { redraws } from './plot-queue';

Plotly.register([scatter, scattergl]);

/** One axis as Plotly keeps it after layout (internal but stable API: pixel <-> data). */
export interface FullAxis {
  /** Pixel offset within the plot area -> data value. */
  p2d(px: number): number;
  /** Data value -> pixel offset within the plot area. */
  d2p(value: number): number;
  range: [number, number];
}

/** The plot element with the parts of its computed layout the panels use. */
export type PlotElement = PlotlyHTMLElement & {
  _fullLayout?: { xaxis: FullAxis; yaxis: FullAxis; _size: { l: number; t: number; w: number; h: number }; dragmode: unknown; width: number; height: number };
};

/** Props of `Plot`. */
export interface PlotProps {
  data: Data[];
  layout: Partial<Layout>;
  config?: Partial<Config>;
  className?: string;
  testId?: string;
  ariaLabel?: string;
  /**
   * The element's role: 'img' (the default) for a chart read as one picture; 'figure' when it holds
   * a mode bar (an img's content is presentational, so its buttons would be nameless); 'application'
   * for a chart that takes the arrow keys (with `tabIndex` 0 and `onKeyDown`).
   */
  role?: 'img' | 'figure' | 'application';
  tabIndex?: number;
  ariaDescribedBy?: string;
  onKeyDown?: KeyboardEventHandler<HTMLDivElement>;
  /** Names the mode bar, when the config shows one. */
  toolbarLabel?: string;
  /** Least time between two redraws caused by new data (a new layout or config redraws at once). */
  minIntervalMs?: number;
  /** Called after every redraw (including resizes and zooms). */
  onAfterPlot?: (el: PlotElement) => void;
  /** Called once with the element after the first draw (bind Plotly events here). */
  onInit?: (el: PlotElement) => void;
}

const BASE_CONFIG: Partial<Config> = { displaylogo: false, responsive: false };


/** Size changes closer together than this make one relayout (the page settles while it loads). */
const RESIZE_SETTLE_MS = 150;

/** A Plotly chart that follows its props; the element stays mounted across updates. */
export function Plot({ data, layout, config, className, testId, ariaLabel, role = 'img', tabIndex, ariaDescribedBy, onKeyDown, toolbarLabel, minIntervalMs = 0, onAfterPlot, onInit }: PlotProps) {
  const ref = useRef<HTMLDivElement>(null);
  const initialised = useRef(false);
  const callbacks = useRef({ onAfterPlot, onInit });
  callbacks.current = { onAfterPlot, onInit };
  const props = useRef({ data, layout, config, testId, toolbarLabel });
  props.current = { data, layout, config, testId, toolbarLabel };
  /** The box's size, as the ResizeObserver last saw it (null: not measured yet, or hidden). */
  const size = useRef<{ width: number; height: number } | null>(null);
  /** What was last handed to Plotly. */
  const drawn = useRef<{ layout: unknown; config: unknown; width: number; height: number }>({ layout: null, config: null, width: 0, height: 0 });

  /** Queues a redraw with the newest props (0: as soon as the queue allows). */
  const request = useRef((intervalMs: number) => {
    const el = ref.current;
    if (!el || !size.current) return;
    redraws.request(
      el,
      () => {
        const p = props.current;
        const box = size.current;
        if (!box || !el.isConnected) return undefined;
        drawn.current = { layout: p.layout, config: p.config, ...box };
        const started = performance.now();
        // The size goes in the layout: Plotly's own autosize measures the box and relayouts on a
        // timer of its own, outside the queue, once per size change.
        const done = Plotly.react(el, p.data, { ...p.layout, width: box.width, height: box.height }, { ...BASE_CONFIG, ...p.config });
        recordPlot(p.testId ?? 'plot', performance.now() - started, started);
        return done.then((gd) => {
          if (!el.isConnected) return;
          const plot = gd as PlotElement;
          if (!initialised.current) {
            initialised.current = true;
            plot.on('plotly_afterplot', () => {
              accessible(plot);
              callbacks.current.onAfterPlot?.(plot);
            });
            callbacks.current.onInit?.(plot);
          }
          accessible(plot);
          callbacks.current.onAfterPlot?.(plot);
        });
      },
      intervalMs,
    );
  }).current;

  /** Plotly's layers hidden from screen readers, its mode bar one named Tab stop (plot-a11y.ts). */
  const accessible = (el: HTMLElement) => {
    hideGraphics(el);
    rovingToolbar(el, props.current.toolbarLabel ?? 'Chart tools');
  };

  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const onKey = (e: KeyboardEvent) => {
      if (toolbarKey(el, e)) e.preventDefault();
    };
    el.addEventListener('keydown', onKey);
    return () => el.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    const urgent = !initialised.current || layout !== drawn.current.layout || config !== drawn.current.config;
    request(urgent ? 0 : minIntervalMs);
  }, [data, layout, config, minIntervalMs, request]);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let settle: ReturnType<typeof setTimeout> | undefined;
    const observer = new ResizeObserver((entries) => {
      const box = entries[entries.length - 1].contentRect;
      const width = Math.round(box.width);
      const height = Math.round(box.height);
      if (width < 10 || height < 10) return; // hidden or collapsed: keep the last drawing
      const first = size.current === null;
      size.current = { width, height };
      clearTimeout(settle);
      if (first) request(0);
      else if (Math.abs(width - drawn.current.width) > 1 || Math.abs(height - drawn.current.height) > 1) settle = setTimeout(() => request(0), RESIZE_SETTLE_MS);
    });
    observer.observe(el);
    return () => {
      clearTimeout(settle);
      observer.disconnect();
      redraws.cancel(el);
      Plotly.purge(el);
      initialised.current = false;
      size.current = null;
    };
  }, [request]);

  return <div ref={ref} className={className} data-testid={testId} aria-label={ariaLabel} role={role} tabIndex={tabIndex} aria-describedby={ariaDescribedBy} onKeyDown={onKeyDown} />;
}
