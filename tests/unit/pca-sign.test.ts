/**
 * The PCA view's signs depend on the codes alone: an 8-D model saved and opened again shows the same
 * picture, not a mirrored one, whatever sign the eigen-solver happened to return.
 */
import { describe, expect, it } from 'vitest';
import { sampleStandardNormal } from '../../src/core/latent/normal';
import { orientComponent, pcaPlane } from '../../src/core/latent/pca';
import { projectPoints, type LatentPlane } from '../../src/core/latent/plane';
import { createRng } from '../../src/core/random';

/** Orthonormal directions from a seeded Gram-Schmidt of normal vectors. */
function orthonormal(count: number, dim: number, seed: number): number[][] {
  const rng = createRng(seed);
  const out: number[][] = [];
  while (out.length < count) {
    const v = sampleStandardNormal(dim, rng);
    for (const u of out) {
      const d = v.reduce((s, x, k) => s + x * u[k], 0);
      for (let k = 0; k < dim; k++) v[k] -= d * u[k];
    }
    const norm = Math.hypot(...v);
    out.push(v.map((x) => x / norm));
  }
  return out;
}

/** An 8-D cloud of codes, elongated along random directions (standard deviations 4, 2, 1, 0.5, ...). */
function codes(count: number, dim: number, seed: number): Float32Array {
  const dirs = orthonormal(dim, dim, seed);
  const rng = createRng(seed + 1);
  const points = new Float32Array(count * dim);
  for (let n = 0; n < count; n++) {
    const e = sampleStandardNormal(dim, rng);
    for (let j = 0; j < dim; j++) {
      const scale = 4 / 2 ** j;
      for (let k = 0; k < dim; k++) points[n * dim + k] += scale * e[j] * dirs[j][k];
    }
    for (let k = 0; k < dim; k++) points[n * dim + k] += 0.3 * (k - dim / 2);
  }
  return points;
}

describe('orientComponent', () => {
  it('gives a component and its negation the same sign: the largest loading positive', () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 50; trial++) {
      const a = sampleStandardNormal(8, rng);
      const oriented = orientComponent(a);
      expect(orientComponent(a.map((x) => -x))).toEqual(oriented);
      const largest = oriented.reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0);
      expect(largest).toBeGreaterThan(0);
      expect(oriented.map(Math.abs)).toEqual(a.map(Math.abs));
    }
  });

  it('breaks a tie of equal magnitudes by the first of them, also through float noise', () => {
    const s = Math.SQRT1_2;
    expect(orientComponent([0, 0, -s, s])).toEqual([0, 0, s, -s]);
    expect(orientComponent([0, 0, s, -s])).toEqual([0, 0, s, -s]);
    expect(orientComponent([0, 0, -s, s + 1e-9])[2]).toBeGreaterThan(0);
    expect(orientComponent([0, 0, -s - 1e-9, s])[2]).toBeGreaterThan(0);
  });
});

describe('pcaPlane signs', () => {
  const dim = 8;
  const count = 4000;
  const points = codes(count, dim, 11);
  const plane = pcaPlane(points, count, dim);

  it('projects the same codes the same way whichever signs the components came with', () => {
    const base = projectPoints(points, count, plane);
    for (const [s1, s2] of [[-1, 1], [1, -1], [-1, -1]]) {
      const flipped: LatentPlane = { a1: plane.a1.map((x) => s1 * x), a2: plane.a2.map((x) => s2 * x) };
      // Without orienting, the flipped plane mirrors the picture...
      const mirrored = projectPoints(points, count, flipped);
      expect(mirrored.u[0]).toBeCloseTo(s1 * base.u[0], 4);
      // ...and orienting its components gives back exactly the same projection.
      const reoriented = { a1: orientComponent(flipped.a1), a2: orientComponent(flipped.a2) };
      const again = projectPoints(points, count, reoriented);
      expect(Array.from(again.u)).toEqual(Array.from(base.u));
      expect(Array.from(again.v)).toEqual(Array.from(base.v));
    }
  });

  it('gives a model opened again (its codes a float rounding apart) the same, unmirrored axes', () => {
    const rng = createRng(5);
    const reopened = points.map((x) => x * (1 + 1e-6 * (rng() - 0.5)));
    const again = pcaPlane(reopened, count, dim);
    const dot = (a: number[], b: number[]) => a.reduce((s, x, k) => s + x * b[k], 0);
    expect(dot(again.a1, plane.a1)).toBeGreaterThan(0.9999);
    expect(dot(again.a2, plane.a2)).toBeGreaterThan(0.9999);
  });

  it('orients each axis by its largest loading, not by the order the codes came in', () => {
    for (const a of [plane.a1, plane.a2]) {
      const largest = a.reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0);
      expect(largest).toBeGreaterThan(0);
    }
    // The same codes in reverse order: the same axes (the covariance does not depend on the order).
    const reversed = new Float32Array(points.length);
    for (let n = 0; n < count; n++) reversed.set(points.subarray(n * dim, (n + 1) * dim), (count - 1 - n) * dim);
    const again = pcaPlane(reversed, count, dim);
    for (let k = 0; k < dim; k++) {
      expect(again.a1[k]).toBeCloseTo(plane.a1[k], 6);
      expect(again.a2[k]).toBeCloseTo(plane.a2[k], 6);
    }
  });
});
