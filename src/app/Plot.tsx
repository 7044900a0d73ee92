/**
 * The one owner of Plotly: a partial bundle (core + scatter + scattergl only) and a React wrapper
 * that calls `Plotly.react` on every change of data or layout, resizes with its box, and hands the
 * plot element (with its axis objects) to panels that need pixel <-> data conversions.
 */
import Plotly from 'plotly.js/lib/core';
import scatter from 'plotly.js/lib/scatter';
import scattergl from 'plotly.js/lib/scattergl';
import type { Config, Data, Layout, PlotlyHTMLElement } from 'plotly.js';
import { useEffect, useRef } from 'react';
import { recordPlot } from './perf';

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
  _fullLayout?: { xaxis: FullAxis; yaxis: FullAxis; _size: { l: number; t: number; w: number; h: number }; dragmode: unknown };
};

/** Props of `Plot`. */
export interface PlotProps {
  data: Data[];
  layout: Partial<Layout>;
  config?: Partial<Config>;
  className?: string;
  testId?: string;
  ariaLabel?: string;
  /** Called after every redraw (including resizes and zooms). */
  onAfterPlot?: (el: PlotElement) => void;
  /** Called once with the element after the first draw (bind Plotly events here). */
  onInit?: (el: PlotElement) => void;
}

const BASE_CONFIG: Partial<Config> = { displaylogo: false, responsive: false };

/** A Plotly chart that follows its props; the element stays mounted across updates. */
export function Plot({ data, layout, config, className, testId, ariaLabel, onAfterPlot, onInit }: PlotProps) {
  const ref = useRef<HTMLDivElement>(null);
  const initialised = useRef(false);
  const callbacks = useRef({ onAfterPlot, onInit });
  callbacks.current = { onAfterPlot, onInit };

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let cancelled = false;
    const started = performance.now();
    void Plotly.react(el, data, layout, { ...BASE_CONFIG, ...config }).then((gd) => {
      recordPlot(testId ?? 'plot', performance.now() - started, started);
      if (cancelled) return;
      const plot = gd as PlotElement;
      if (!initialised.current) {
        initialised.current = true;
        plot.on('plotly_afterplot', () => callbacks.current.onAfterPlot?.(plot));
        callbacks.current.onInit?.(plot);
      }
      callbacks.current.onAfterPlot?.(plot);
    });
    return () => {
      cancelled = true;
    };
  }, [data, layout, config, testId]);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (initialised.current) void Plotly.Plots.resize(el);
      });
    });
    observer.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      Plotly.purge(el);
      initialised.current = false;
    };
  }, []);

  return <div ref={ref} className={className} data-testid={testId} aria-label={ariaLabel} role="img" />;
}
