/** The latent scatter's data: the test digits' codes projected on the view plane, one trace per class; the WebGL warm-up traces. */
import type { Data } from 'plotly.js';
import { projectPoints } from '../../core/latent/plane';
import { CLASS_COLORS, classColor } from '../draw';
import type { LatentCodes, TestSet } from '../hooks/useTraining';
import type { PlaneView } from '../view';
import { classLabel } from './class-labels';

/** The scatter's traces with the test index of every point. */
export interface Split {
  /** Test indices of each class's points, in trace order. */
  indices: Uint32Array[];
  traces: Data[];
  /** Axis ranges that hold every point (rounded to halves, so they change rarely). */
  extent: [[number, number], [number, number]];
  /** Points in all traces. */
  points: number;
  /** The dataset's class names when they are in (one per trace), else undefined (the label numbers are shown). */
  names?: readonly string[];
}

/**
 * Splits the projected codes by class, one scattergl trace each: as many as the dataset's class names
 * (when they are in), else at least ten (the digits) and every label seen.
 */
export function splitByClass(latents: LatentCodes | null, testSet: TestSet | null, view: PlaneView): Split {
  const names = testSet?.classNames;
  let classes = names?.length ?? 10;
  for (const label of testSet?.labels ?? []) if (label >= classes) classes = label + 1;
  const usable = latents && testSet && latents.latentDim === view.plane.a1.length && latents.count <= testSet.count;
  const { u, v } = usable ? projectPoints(latents.means, latents.count, view.plane) : { u: new Float32Array(0), v: new Float32Array(0) };
  const labels = testSet?.labels ?? new Uint8Array(0);
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < u.length; i++) counts[labels[i]]++;
  const indices = counts.map((c) => new Uint32Array(c));
  const xs = counts.map((c) => new Float32Array(c));
  const ys = counts.map((c) => new Float32Array(c));
  const fill = new Array<number>(classes).fill(0);
  for (let i = 0; i < u.length; i++) {
    const c = labels[i];
    const k = fill[c]++;
    indices[c][k] = i;
    xs[c][k] = u[i];
    ys[c][k] = v[i];
  }
  const traces: Data[] = indices.map((_, c) => ({
    type: 'scattergl',
    mode: 'markers',
    name: classLabel(names, c),
    x: xs[c],
    y: ys[c],
    marker: { color: classColor(c, indices.length), size: 4, opacity: 0.65 },
    hoverinfo: 'none',
  }));
  return { indices, traces, extent: extentOf(u, v), points: u.length, names: names && names.length === classes ? names : undefined };
}

/** A padded square-ish range around the points (at least ±3, the bulk of the prior). */
function extentOf(u: Float32Array, v: Float32Array): [[number, number], [number, number]] {
  let [x0, x1, y0, y1] = [-3, 3, -3, 3];
  for (let i = 0; i < u.length; i++) {
    if (u[i] < x0) x0 = u[i];
    if (u[i] > x1) x1 = u[i];
    if (v[i] < y0) y0 = v[i];
    if (v[i] > y1) y1 = v[i];
  }
  const pad = (a: number, b: number): [number, number] => {
    const m = 0.06 * (b - a);
    return [Math.floor((a - m) * 2) / 2, Math.ceil((b + m) * 2) / 2];
  };
  return [pad(x0, x1), pad(y0, y1)];
}

/**
 * WebGL start-up, spread over tasks of its own before the first draw of the 10,000 codes: with
 * software rendering, creating the contexts and compiling the marker shaders each take a long task,
 * which together with the codes made one far longer. First a trace that
 * draws nothing (mode 'none': Plotly creates the WebGL contexts), then one marker far outside the
 * axes (Plotly compiles the scatter shaders). Neither has an x array, so no test counts them as
 * points. This waits for the first codes because the worker is idle then (it sends them last
 * after loading); while it computes on every core the same tasks take twice as long.
 */
export const GL_CONTEXT: Data[] = [{ type: 'scattergl', mode: 'none', y: [1e6], x0: 1e6, hoverinfo: 'skip', showlegend: false } as Data];
export const WARM_UP: Data[] = [{ type: 'scattergl', mode: 'markers', y: [1e6], x0: 1e6, hoverinfo: 'skip', showlegend: false, marker: { color: CLASS_COLORS[0], size: 4, opacity: 0.65 } } as Data];
/** Before any codes: axes only, no WebGL yet. */
export const NO_TRACES: Data[] = [];

/** The screen's pixel ratio, within [1, 2]. */
export function glPixelRatio(): number {
  return Math.min(2, Math.max(1, globalThis.devicePixelRatio || 1));
}
