/**
 * What the exploring panels add to the latent plot's overlay: the drawing's posterior q(z|x) (its mean
 * and 1σ ellipse) and the interpolation path with its frames, drawn into an SVG group through the
 * plot's axes, like the current-point marker (so they follow zoom and redraws without Plotly).
 */
import { ellipsePoints, projectedCovariance } from '../../core/latent/ellipse';
import { projectPoint, type LatentPlane } from '../../core/latent/plane';
import { dataToPixel } from '../panels/latent-geometry';
import type { PlotElement } from '../Plot';
import type { ExploreState } from './explore-state';

/** The part of the shared state the plot draws. */
export type LatentExtras = Pick<ExploreState, 'drawing' | 'path'>;

/** A source of extras the latent panel subscribes to (the explore store). */
export interface LatentExtrasSource {
  get(): LatentExtras;
  subscribe(listener: () => void): () => void;
}

const SVG = 'http://www.w3.org/2000/svg';

/** The child of `g` with this class, created on first use. */
function child<K extends 'path' | 'text' | 'g'>(g: SVGGElement, tag: K, cls: string): SVGElementTagNameMap[K] {
  let el = g.querySelector<SVGElementTagNameMap[K]>(`:scope > .${cls}`);
  if (!el) {
    el = document.createElementNS(SVG, tag) as SVGElementTagNameMap[K];
    el.setAttribute('class', cls);
    g.append(el);
  }
  return el;
}

/** An open SVG path through pixel points. */
function polyline(points: [number, number][]): string {
  return points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`).join('');
}

/** Pixels of latent points on the plot's view plane (points that do not fit the plane are skipped). */
function toPixels(el: PlotElement, plane: LatentPlane, points: readonly (readonly number[])[]): [number, number][] {
  const out: [number, number][] = [];
  for (const z of points) {
    if (z.length !== plane.a1.length) continue;
    const [u, v] = projectPoint(z, plane);
    const px = dataToPixel(el, u, v);
    if (px && Number.isFinite(px[0]) && Number.isFinite(px[1])) out.push(px);
  }
  return out;
}

/** Draws (or clears) the drawing's posterior and the interpolation path into `g`. */
export function drawLatentExtras(g: SVGGElement, el: PlotElement, plane: LatentPlane, extras: LatentExtras | null): void {
  // The interpolation path: a curve, a dot per frame, A and B at the ends.
  const curve = child(g, 'path', 'interp-curve');
  const dots = child(g, 'path', 'interp-frames');
  const labelA = child(g, 'text', 'interp-label-a');
  const labelB = child(g, 'text', 'interp-label-b');
  const path = extras?.path;
  const frames = path ? toPixels(el, plane, path.frames) : [];
  const ok = path && frames.length === path.frames.length && frames.length >= 2;
  curve.setAttribute('d', ok ? polyline(toPixels(el, plane, path.curve)) : '');
  dots.setAttribute('d', ok ? frames.map(([x, y]) => `M${(x - 3.5).toFixed(1)},${y.toFixed(1)}a3.5,3.5 0 1,0 7,0a3.5,3.5 0 1,0 -7,0`).join('') : '');
  for (const [label, at, text] of [[labelA, frames[0], 'A'], [labelB, frames[frames.length - 1], 'B']] as const) {
    label.textContent = ok ? text : '';
    if (ok && at) {
      label.setAttribute('x', (at[0] + 7).toFixed(1));
      label.setAttribute('y', (at[1] - 7).toFixed(1));
    }
  }
  // The drawing's posterior: a hollow diamond around the mean and the 1σ ellipse.
  const ellipse = child(g, 'path', 'drawing-ellipse');
  const mean = child(g, 'path', 'drawing-mean');
  const label = child(g, 'text', 'drawing-label');
  ellipse.setAttribute('data-testid', 'drawing-posterior');
  const drawing = extras?.drawing;
  const fits = drawing && drawing.mean.length === plane.a1.length;
  if (!fits) {
    ellipse.setAttribute('d', '');
    mean.setAttribute('d', '');
    label.textContent = '';
    return;
  }
  const [cu, cv] = projectPoint(drawing.mean, plane);
  const ring = ellipsePoints(cu, cv, projectedCovariance(drawing.logVar, plane), 1, 48).map(([a, b]): [number, number] => dataToPixel(el, a, b) ?? [NaN, NaN]);
  ellipse.setAttribute('d', ring.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) ? `${polyline(ring)}Z` : '');
  const c = dataToPixel(el, cu, cv);
  if (!c) return;
  const [x, y] = c;
  mean.setAttribute('d', `M${x.toFixed(1)},${(y - 9).toFixed(1)}l9,9l-9,9l-9,-9Z`); // hollow: a small ellipse stays visible inside
  label.textContent = 'your drawing';
  label.setAttribute('x', (x + 10).toFixed(1));
  label.setAttribute('y', (y + 4).toFixed(1));
}
