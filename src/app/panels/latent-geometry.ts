/** Pixel <-> latent conversions on a Plotly plot, through its axis objects. */
import type { PlotElement } from '../Plot';

/** The plot area within the plot element, in CSS pixels. */
export interface PlotArea {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The plot area, or null before the first draw. */
export function plotArea(el: PlotElement): PlotArea | null {
  const size = el._fullLayout?._size;
  return size ? { left: size.l, top: size.t, width: size.w, height: size.h } : null;
}

/** Data coordinates of a point given in pixels relative to the plot element's corner. */
export function pixelToData(el: PlotElement, x: number, y: number): [number, number] | null {
  const fl = el._fullLayout;
  if (!fl) return null;
  return [fl.xaxis.p2d(x - fl._size.l), fl.yaxis.p2d(y - fl._size.t)];
}

/** Pixels (relative to the plot element's corner) of a point in data coordinates. */
export function dataToPixel(el: PlotElement, u: number, v: number): [number, number] | null {
  const fl = el._fullLayout;
  if (!fl) return null;
  return [fl._size.l + fl.xaxis.d2p(u), fl._size.t + fl.yaxis.d2p(v)];
}

/** True when a pixel position lies inside the plot area. */
export function insideArea(area: PlotArea, x: number, y: number): boolean {
  return x >= area.left && x <= area.left + area.width && y >= area.top && y <= area.top + area.height;
}

/** An SVG path through pixel points. */
export function pathOf(points: [number, number][]): string {
  return points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`).join('') + 'Z';
}
