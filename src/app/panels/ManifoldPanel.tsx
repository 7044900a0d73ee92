/**
 * The manifold: an n×n grid of decodings at prior quantiles Φ⁻¹(linspace(0.05, 0.95, n)) along the
 * view's two axes (as in Keras' VAE example). Decoded in the worker and redrawn as it streams in; a
 * click on a cell moves the latent point there; a ring marks where the current point falls. From
 * the keyboard, the focused grid shows a cursor that arrow keys move (Shift: a quarter of the grid)
 * and Enter or Space picks, each cell named in a polite live region.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { normalCdf, priorQuantiles } from '../../core/latent/normal';
import { manifoldCellPoint, projectPoint } from '../../core/latent/plane';
import { appRange, SETTING_ROWS } from '../../core/model/settings-table';
import { drawTiles } from '../draw';
import type { ManifoldImages } from '../hooks/useTraining';
import type { LatentPoint, Store } from '../state/store';
import type { PlaneView } from '../view';
import { steppedCell } from './latent-keys';

/** Cells per side the manifold takes (the settings table's range). */
const GRID = appRange(SETTING_ROWS.grid);

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

/** A cell of the grid, row 0 at the top. */
interface Cell {
  row: number;
  col: number;
}

/** The cell of the n×n grid nearest to view coordinates (u, v). */
function nearestCell(u: number, v: number, n: number): Cell {
  const clamp = (k: number) => Math.min(n - 1, Math.max(0, Math.round(k)));
  return { row: clamp(n - 1 - quantileIndex(v, n)), col: clamp(quantileIndex(u, n)) };
}

/** A cell in words: "row 3 of 15, column 5: z1 -0.52, z2 1.04". */
function describeCell(cell: Cell, n: number, names: readonly string[]): string {
  const q = priorQuantiles(n);
  return `row ${cell.row + 1} of ${n}, column ${cell.col + 1}: ${names[0]} ${q[cell.col].toFixed(2)}, ${names[1]} ${q[n - 1 - cell.row].toFixed(2)}`;
}

/** The manifold panel, canvas `data-testid="manifold"`. */
export function ManifoldPanel({ manifold, view, point, grid, onGridChange, side }: ManifoldPanelProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const ringRef = useRef<HTMLDivElement>(null);
  const n = manifold?.n ?? grid;
  /** The keyboard cursor (null until the grid has focus). */
  const [cursor, setCursor] = useState<Cell | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const helpId = `manifold-help-${useId().replace(/:/g, '')}`;
  const [xName, yName] = view.axisNames;

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

  /** Moves z to a cell's latent point (keeping, above 2-D, the point's part off the plane). */
  const pick = (cell: Cell, eventTime: number) => {
    const base = point.get().z;
    const z = manifoldCellPoint(n, cell.row, cell.col, view.plane, base.length === view.plane.a1.length ? base : new Array<number>(view.plane.a1.length).fill(0));
    point.set({ z, source: 'manifold', eventTime });
  };

  const onClick = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const col = Math.min(n - 1, Math.max(0, Math.floor(((e.clientX - rect.left) / rect.width) * n)));
    const row = Math.min(n - 1, Math.max(0, Math.floor(((e.clientY - rect.top) / rect.height) * n)));
    setCursor({ row, col });
    pick({ row, col }, e.timeStamp);
  };

  /** Focus puts the cursor on the current point's cell (the centre when z is off the grid's plane). */
  const onFocus = () => {
    const { z } = point.get();
    const [u, v] = z.length === view.plane.a1.length ? projectPoint(z, view.plane) : [0, 0];
    const cell = nearestCell(u, v, n);
    setCursor(cell);
    setAnnouncement('');
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLCanvasElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const at = cursor ?? nearestCell(0, 0, n);
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      pick(at, e.timeStamp);
      setAnnouncement(`z moved to ${describeCell(at, n, view.axisNames)}`);
      return;
    }
    const next = steppedCell(e.key, e.shiftKey, at, n);
    if (!next) return;
    e.preventDefault(); // no page scroll
    setCursor(next);
    setAnnouncement(describeCell(next, n, view.axisNames));
  };

  const q = priorQuantiles(n);
  const range = `${q[0].toFixed(2)} to ${q[n - 1].toFixed(2)}`;
  const offPlane = view.plane.a1.length > 2 ? '; the other latent coordinates are those of the current z' : '';
  return (
    <>
      <div className="panel-header">
        <h2>Manifold</h2>
        <span className="panel-sub">decoded prior quantiles (5%…95%); click a cell to move z</span>
        <label className="inline-field" title="Cells per side of the grid (each cell is one decoded latent point)">
          grid{' '}
          <input type="number" min={GRID.min} max={GRID.max} value={grid} onChange={(e) => { const v = Number(e.target.value); if (Number.isInteger(v) && v >= GRID.min && v <= GRID.max) onGridChange(v); }} aria-label="manifold grid size" title={SETTING_ROWS.grid.tip} />
        </label>
      </div>
      <div className="manifold-body">
        <div className="axis-label y-label">{yName} →</div>
        <div className="manifold-frame">
          <canvas
            ref={canvasRef}
            className="manifold-canvas"
            data-testid="manifold"
            width={n * side}
            height={n * side}
            onClick={onClick}
            onFocus={onFocus}
            onBlur={() => setCursor(null)}
            onKeyDown={onKeyDown}
            tabIndex={0}
            role="application"
            aria-label={`Manifold: ${n} by ${n} digits decoded along ${xName} (across, left to right) and ${yName} (up, bottom to top), each from ${range}, the prior's 5% to 95% quantiles${offPlane}`}
            aria-describedby={helpId}
          />
          <div ref={ringRef} className="manifold-ring" aria-hidden="true" />
          {cursor ? <div className="manifold-cursor" aria-hidden="true" style={{ left: `${(cursor.col / n) * 100}%`, top: `${(cursor.row / n) * 100}%`, width: `${100 / n}%`, height: `${100 / n}%` }} /> : null}
          <span id={helpId} className="visually-hidden">
            Arrow keys choose a cell, Shift+arrow jumps a quarter of the grid, Enter moves z to the chosen cell.
          </span>
          <span className="visually-hidden" aria-live="polite">
            {announcement}
          </span>
        </div>
        <div className="axis-label x-label">{xName} →   (Φ⁻¹ of 5% … 95%: {`${(-1.64).toFixed(2)} … ${(1.64).toFixed(2)}`})</div>
      </div>
    </>
  );
}
