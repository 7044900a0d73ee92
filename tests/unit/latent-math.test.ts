import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/random';
import { ellipsePoints, projectedCovariance } from '../../src/core/latent/ellipse';
import { interpolatePath, lerp, slerp } from '../../src/core/latent/interpolate';
import { linspace, normalPpf, priorQuantiles, sampleStandardNormal } from '../../src/core/latent/normal';
import { pcaPlane } from '../../src/core/latent/pca';
import { axisPlane, liftPoint, manifoldCellPoint, manifoldGrid, projectPoint, projectPoints } from '../../src/core/latent/plane';

describe('inverse normal CDF', () => {
  it('matches known quantiles (scipy norm.ppf)', () => {
    expect(normalPpf(0.5)).toBeCloseTo(0, 12);
    expect(normalPpf(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalPpf(0.025)).toBeCloseTo(-1.959963984540054, 8);
    expect(normalPpf(0.95)).toBeCloseTo(1.6448536269514722, 8);
    expect(normalPpf(0.05)).toBeCloseTo(-1.6448536269514722, 8);
    expect(normalPpf(0.8413447460685429)).toBeCloseTo(1, 7);
    expect(normalPpf(1e-6)).toBeCloseTo(-4.753424308822899, 6);
    expect(normalPpf(0.01)).toBeCloseTo(-2.3263478740408408, 7);
  });

  it('handles the ends and invalid input', () => {
    expect(normalPpf(0)).toBe(-Infinity);
    expect(normalPpf(1)).toBe(Infinity);
    expect(normalPpf(-0.1)).toBeNaN();
    expect(normalPpf(1.1)).toBeNaN();
  });

  it('linspace and prior quantiles follow numpy and the Keras example', () => {
    expect(linspace(0, 1, 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(2, 3, 1)).toEqual([2]);
    expect(linspace(0, 1, 0)).toEqual([]);
    const q = priorQuantiles(15);
    expect(q).toHaveLength(15);
    expect(q[0]).toBeCloseTo(-1.6448536, 6);
    expect(q[7]).toBeCloseTo(0, 10);
    expect(q[14]).toBeCloseTo(1.6448536, 6);
    for (let i = 1; i < q.length; i++) expect(q[i]).toBeGreaterThan(q[i - 1]);
  });

  it('samples from N(0, I)', () => {
    const rng = createRng(7);
    const draws = Array.from({ length: 4000 }, () => sampleStandardNormal(3, rng)).flat();
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length;
    expect(sampleStandardNormal(5, rng)).toHaveLength(5);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(variance).toBeGreaterThan(0.93);
    expect(variance).toBeLessThan(1.07);
  });
});

describe('latent planes and the manifold grid', () => {
  it('projects and lifts through two chosen dimensions, keeping the rest of the base point', () => {
    const plane = axisPlane(4, 1, 3);
    expect(projectPoint([5, 6, 7, 8], plane)).toEqual([6, 8]);
    expect(liftPoint(-1, 2, plane, [5, 6, 7, 8])).toEqual([5, -1, 7, 2]);
    const { u, v } = projectPoints(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), 2, plane);
    expect([...u]).toEqual([2, 6]);
    expect([...v]).toEqual([4, 8]);
    expect(() => axisPlane(2, 0, 0)).toThrow(/two different/);
  });

  it('lays the grid out like an image: top row is the highest quantile of z2, left column the lowest of z1', () => {
    const n = 5;
    const plane = axisPlane(2, 0, 1);
    const grid = manifoldGrid(n, plane, [0, 0]);
    const q = priorQuantiles(n);
    expect(grid).toHaveLength(n * n * 2);
    expect(grid[0]).toBeCloseTo(q[0]); // row 0, col 0: z1 lowest
    expect(grid[1]).toBeCloseTo(q[n - 1]); // z2 highest at the top
    const last = (n * n - 1) * 2;
    expect(grid[last]).toBeCloseTo(q[n - 1]);
    expect(grid[last + 1]).toBeCloseTo(q[0]);
    const cell = manifoldCellPoint(n, 1, 3, plane, [0, 0]);
    expect(cell[0]).toBeCloseTo(grid[(1 * n + 3) * 2]);
    expect(cell[1]).toBeCloseTo(grid[(1 * n + 3) * 2 + 1]);
  });

  it('finds the principal directions of an elongated cloud, with stable signs', () => {
    const rng = createRng(3);
    const count = 3000;
    const dim = 4;
    const points = new Float32Array(count * dim);
    const d1 = [1, 1, 0, 0].map((x) => x / Math.SQRT2);
    const d2 = [0, 0, 1, -1].map((x) => x / Math.SQRT2);
    for (let n = 0; n < count; n++) {
      const [a, b, c] = sampleStandardNormal(3, rng);
      for (let k = 0; k < dim; k++) points[n * dim + k] = 5 * a * d1[k] + 2 * b * d2[k] + 0.1 * c * (k === 0 ? 1 : 0) + 3;
    }
    const plane = pcaPlane(points, count, dim);
    const align = (a: number[], b: number[]) => Math.abs(a.reduce((s, x, k) => s + x * b[k], 0));
    expect(align(plane.a1, d1)).toBeGreaterThan(0.99);
    expect(align(plane.a2, d2)).toBeGreaterThan(0.99);
    expect(Math.hypot(...plane.a1)).toBeCloseTo(1, 6);
    expect(plane.a1.reduce((s, x, k) => s + x * plane.a2[k], 0)).toBeCloseTo(0, 6);
    // Signs: the largest loading of each axis is positive (d2's two equal loadings: the first).
    expect(plane.a1[0]).toBeGreaterThan(0);
    expect(plane.a2[2]).toBeGreaterThan(0);
  });
});

describe('posterior ellipses and interpolation', () => {
  it('projects a diagonal covariance and draws its 1-sigma ellipse', () => {
    const plane = axisPlane(3, 0, 2);
    const cov = projectedCovariance([Math.log(4), Math.log(100), Math.log(1)], plane);
    expect(cov.xx).toBeCloseTo(4);
    expect(cov.yy).toBeCloseTo(1);
    expect(cov.xy).toBeCloseTo(0);
    const pts = ellipsePoints(1, 2, cov, 1, 4);
    expect(pts).toHaveLength(5);
    expect(pts[0][0]).toBeCloseTo(3); // semi-axis sqrt(4) = 2 along x
    expect(pts[0][1]).toBeCloseTo(2);
    expect(pts[1][0]).toBeCloseTo(1);
    expect(Math.abs(pts[1][1] - 2)).toBeCloseTo(1); // semi-axis 1 along y
  });

  it('draws a rotated ellipse whose points satisfy the quadratic form', () => {
    const cov = { xx: 2, xy: 0.8, yy: 1 };
    const det = cov.xx * cov.yy - cov.xy * cov.xy;
    for (const [x, y] of ellipsePoints(0, 0, cov, 2, 16)) {
      const q = (cov.yy * x * x - 2 * cov.xy * x * y + cov.xx * y * y) / det;
      expect(q).toBeCloseTo(4, 6);
    }
  });

  it('interpolates straight and along great circles', () => {
    expect(lerp([0, 0], [2, 4], 0.5)).toEqual([1, 2]);
    const mid = slerp([1, 0], [0, 1], 0.5);
    expect(mid[0]).toBeCloseTo(Math.SQRT1_2);
    expect(Math.hypot(...mid)).toBeCloseTo(1);
    const path = interpolatePath([0, 0], [1, 1], 3);
    expect(path).toEqual([[0, 0], [0.5, 0.5], [1, 1]]);
    expect(slerp([1, 0], [2, 0], 0.5)).toEqual([1.5, 0]); // parallel: falls back to a line
  });
});
