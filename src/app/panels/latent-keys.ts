/**
 * Keyboard moves of the latent point and of the manifold's cell cursor: arrow keys step along the
 * view's two axes (right and up are the positive directions, as drawn), Shift for bigger steps; and
 * the point in words for screen readers.
 */
import { liftPoint, projectPoint, type LatentPlane } from '../../core/latent/plane';
import type { PlaneView } from '../view';

/** One arrow press moves z this far along a view axis, in latent units (the prior's σ is 1). */
export const KEY_STEP = 0.1;
/** With Shift held. */
export const KEY_STEP_LARGE = 0.5;
/**
 * How far the arrow keys take z along a view axis, in latent units: the prior's 4σ, the range the
 * z sliders show. A point already beyond it (a click on a far code) is never moved further out.
 */
export const KEY_LIMIT = 4;

/** The direction of an arrow key on the view plane (x right, y up), or null for other keys. */
export function arrowDirection(key: string): [number, number] | null {
  switch (key) {
    case 'ArrowRight':
      return [1, 0];
    case 'ArrowLeft':
      return [-1, 0];
    case 'ArrowUp':
      return [0, 1];
    case 'ArrowDown':
      return [0, -1];
    default:
      return null;
  }
}

/**
 * The latent point one arrow press away from `z` on `plane` (`z`'s part off the plane kept), within
 * ±KEY_LIMIT along each view axis, or null when the key is not an arrow. `z` of another length than the plane's counts as the origin.
 */
export function steppedPoint(key: string, shift: boolean, z: readonly number[], plane: LatentPlane): number[] | null {
  const dir = arrowDirection(key);
  if (!dir) return null;
  const base = z.length === plane.a1.length ? z : new Array<number>(plane.a1.length).fill(0);
  const step = shift ? KEY_STEP_LARGE : KEY_STEP;
  const [u, v] = projectPoint(base, plane);
  // Rounded to the step's grid of 0.001 so that repeated presses don't accumulate float noise.
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const bounded = (from: number, to: number) => {
    const limit = Math.max(KEY_LIMIT, Math.abs(from));
    return Math.min(limit, Math.max(-limit, to));
  };
  return liftPoint(bounded(u, round(u + dir[0] * step)), bounded(v, round(v + dir[1] * step)), plane, base);
}

/**
 * The manifold cursor's cell after a key, clamped to the n×n grid (row 0 at the top), or null for a
 * key that does not move it. Arrows move one cell (Shift: a quarter of the grid); Home and End go to
 * the row's first and last cell.
 */
export function steppedCell(key: string, shift: boolean, cell: { row: number; col: number }, n: number): { row: number; col: number } | null {
  const clamp = (k: number) => Math.min(n - 1, Math.max(0, k));
  if (key === 'Home') return { row: cell.row, col: 0 };
  if (key === 'End') return { row: cell.row, col: n - 1 };
  const dir = arrowDirection(key);
  if (!dir) return null;
  const step = shift ? Math.max(1, Math.round(n / 4)) : 1;
  return { row: clamp(cell.row - dir[1] * step), col: clamp(cell.col + dir[0] * step) };
}

/** The current point in words, for screen readers: "z1 0.50, z2 -1.20", above 2-D on the view's axes. */
export function describeZ(z: readonly number[], view: PlaneView): string {
  if (z.length !== view.plane.a1.length) return 'none';
  if (z.length <= 2) return z.map((v, k) => `z${k + 1} ${v.toFixed(2)}`).join(', ');
  const [u, v] = projectPoint(z, view.plane);
  return `${view.axisNames[0]} ${u.toFixed(2)}, ${view.axisNames[1]} ${v.toFixed(2)} (the sliders give each of the ${z.length} coordinates)`;
}
