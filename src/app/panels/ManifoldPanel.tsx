/**
 * The manifold: an n×n grid of decodings at prior quantiles Φ⁻¹(linspace(0.05, 0.95, n)) along the
 * view's two axes (as in Keras' VAE example). Decoded in the worker and redrawn as it streams in; a
 * click on a cell moves the latent point there; a ring marks where the current point falls.
 */
import { useCallback, useEffect, useRef } from 'react';
import { normalCdf } from '../../core/latent/normal';
import { manifoldCellPoint, projectPoint } from '../../core/latent/plane';
import { drawTiles } from '../draw';
import type { ManifoldImages } from '../hooks/useTraining';
import type { LatentPoint, Store } from '../state/store';
import type { PlaneView } from '../view';

/** Props of `ManifoldPanel`. */
export interface ManifoldPanelProps {
  manifold: ManifoldImages | null;
  view: PlaneView;
  point: Store<LatentPoint>;
  grid: number;
  onGridChange: (n: number) => void;
  side: number;
}

/** Fractional cell index (0 = first cell's centre) of a coordinate on a quantile axis of n cells. */
function quantileIndex(value: number, n: number): number {
  return ((normalCdf(value) - 0.05) / 0.9) * (n - 1);
}

/** The manifold panel, canvas `data-testid="manifold"`. */
export function ManifoldPanel({ manifold, view, point, grid, onGridChange, side }: ManifoldPanelProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const ringRef = useRef<HTMLDivElement>(null);
  const n = manifold?.n ?? grid;

  useEffect(() => {
    if (canvasRef.current && manifold) drawTiles(canvasRef.current, manifold.images, manifold.n, Math.round(Math.sqrt(manifold.pixels)));
  }, [manifold]);

  const placeRing = useCallback(() => {
    const ring = ringRef.current;
    if (!ring) return;
    const { z } = point.get();
    if (z.length !== view.plane.a1.length) return void (ring.style.display = 'none');
    const [u, v] = projectPoint(z, view.plane);
    const col = quantileIndex(u, n);
    const row = n - 1 - quantileIndex(v, n);
    const inside = col > -0.5 && col < n - 0.5 && row > -0.5 && row < n - 0.5;
    ring.style.display = inside ? 'block' : 'none';
    ring.style.left = `${((col + 0.5) / n) * 100}%`;
    ring.style.top = `${((row + 0.5) / n) * 100}%`;
    ring.style.width = `${100 / n}%`;
    ring.style.height = `${100 / n}%`;
  }, [point, view, n]);

  useEffect(() => {
    placeRing();
    return point.subscribe(placeRing);
  }, [point, placeRing]);

  const onClick = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const col = Math.min(n - 1, Math.max(0, Math.floor(((e.clientX - rect.left) / rect.width) * n)));
    const row = Math.min(n - 1, Math.max(0, Math.floor(((e.clientY - rect.top) / rect.height) * n)));
    const base = point.get().z;
    const z = manifoldCellPoint(n, row, col, view.plane, base.length === view.plane.a1.length ? base : new Array<number>(view.plane.a1.length).fill(0));
    point.set({ z, source: 'manifold', eventTime: e.timeStamp });
  };

  const [xName, yName] = view.axisNames;
  return (
    <>
      <div className="panel-header">
        <h2>Manifold</h2>
        <span className="panel-sub">decoded prior quantiles (5%…95%); click a cell to move z</span>
        <label className="inline-field" title="Cells per side of the grid (each cell is one decoded latent point)">
          grid{' '}
          <input type="number" min={2} max={30} value={grid} onChange={(e) => { const v = Number(e.target.value); if (Number.isInteger(v) && v >= 2 && v <= 30) onGridChange(v); }} aria-label="manifold grid size" />
        </label>
      </div>
      <div className="manifold-body">
        <div className="axis-label y-label">{yName} →</div>
        <div className="manifold-frame">
          <canvas ref={canvasRef} className="manifold-canvas" data-testid="manifold" width={n * side} height={n * side} onClick={onClick} role="img" aria-label={`Decoded ${n} by ${n} grid over ${xName} and ${yName}`} />
          <div ref={ringRef} className="manifold-ring" aria-hidden="true" />
        </div>
        <div className="axis-label x-label">{xName} →   (Φ⁻¹ of 5% … 95%: {`${(-1.64).toFixed(2)} … ${(1.64).toFixed(2)}`})</div>
      </div>
    </>
  );
}
