/** The interpolation's endpoints and frames: what an endpoint is, where it lies now, and decoding the frames. */
import { interpolatePath } from '../../core/latent/interpolate';
import { projectPoint, projectPoints, type LatentPlane } from '../../core/latent/plane';
import type { PointDecoder } from '../decoding';
import type { LatentCodes, TestSet } from '../hooks/useTraining';
import type { ExploreState } from './explore-state';

/** An end of the path: a test digit (its posterior mean, which moves as the encoder trains), the drawing's mean, or a fixed point. */
export type Endpoint = { kind: 'digit'; index: number } | { kind: 'drawing' } | { kind: 'point'; z: number[] };

/** How to walk from A to B. */
export type PathKind = 'linear' | 'spherical';

/** Points sampled along the path for the curve on the latent plot. */
export const CURVE_POINTS = 64;

/** Where an endpoint lies now in a latent space of `latentDim` dimensions, or null when it cannot be placed. */
export function endpointZ(end: Endpoint | null, latentDim: number, latents: LatentCodes | null, explore: ExploreState): number[] | null {
  if (!end) return null;
  if (end.kind === 'point') return end.z.length === latentDim ? end.z : null;
  if (end.kind === 'drawing') {
    const mean = explore.drawing?.mean;
    return mean && mean.length === latentDim ? mean : null;
  }
  if (!latents || latents.latentDim !== latentDim || end.index >= latents.count) return null;
  return Array.from(latents.means.subarray(end.index * latentDim, (end.index + 1) * latentDim));
}

/** An endpoint in words: "test digit #12 (a 4)", "your drawing", "z = (0.50, −1.20)". */
export function describeEndpoint(end: Endpoint | null, testSet: TestSet | null): string {
  if (!end) return 'not chosen';
  if (end.kind === 'drawing') return 'your drawing';
  if (end.kind === 'digit') return `test digit #${end.index}${testSet && end.index < testSet.count ? ` (a ${testSet.labels[end.index]})` : ''}`;
  return end.z.length <= 3 ? `z = (${end.z.map((v) => v.toFixed(2)).join(', ')})` : `a point in ${end.z.length} dimensions`;
}

/** The first test digit of each of two classes (a 1 and a 0: far apart in most latent maps), or the first two digits: the default endpoints. */
export function defaultEndpoints(testSet: TestSet, first = 1, second = 0): [Endpoint, Endpoint] | null {
  if (testSet.count < 2) return null;
  let a = -1;
  let b = -1;
  for (let i = 0; i < testSet.count && (a < 0 || b < 0); i++) {
    if (a < 0 && testSet.labels[i] === first) a = i;
    else if (b < 0 && testSet.labels[i] === second) b = i;
  }
  return [{ kind: 'digit', index: a >= 0 ? a : 0 }, { kind: 'digit', index: b >= 0 ? b : 1 }];
}

/** The test digit whose code lies nearest (on the view plane) to the view point of z, or -1. */
export function nearestDigit(z: readonly number[], latents: LatentCodes | null, plane: LatentPlane): number {
  if (!latents || latents.latentDim !== z.length || z.length !== plane.a1.length) return -1;
  const [u0, v0] = projectPoint(z, plane);
  const { u, v } = projectPoints(latents.means, latents.count, plane);
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < u.length; i++) {
    const d = (u[i] - u0) ** 2 + (v[i] - v0) ** 2;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** The frames' points and the dense curve between two latent points. */
export function pathBetween(a: readonly number[], b: readonly number[], frames: number, how: PathKind): { frames: number[][]; curve: number[][] } {
  return { frames: interpolatePath(a, b, frames, how), curve: interpolatePath(a, b, CURVE_POINTS, how) };
}

/**
 * Decodes the frames: at once with the main thread's decoder copy, else in the worker through
 * `decodeBatch`. Pixel intensities [frames, pixels], or null when stale or failed.
 */
export async function decodeFrames(
  points: readonly number[][],
  pixels: number,
  decoder: PointDecoder | null,
  decodeBatch: (z: Float32Array, count: number) => Promise<Float32Array | null>,
): Promise<Float32Array | null> {
  if (points.length === 0) return null;
  if (decoder?.immediate && decoder.latentDim === points[0].length) {
    const out = new Float32Array(points.length * pixels);
    points.forEach((z, i) => decoder.decode(z, (p) => out.set(p.subarray(0, pixels), i * pixels)));
    return out;
  }
  return decodeBatch(Float32Array.from(points.flat()), points.length);
}
