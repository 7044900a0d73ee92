// @vitest-environment happy-dom
/**
 * The panels from the keyboard: arrow keys move z in the focused latent plot (Shift: further), the
 * manifold's cursor moves between cells and Enter picks one, the drag modes are one radio group with
 * a roving tabindex, and the status line is not a chatty live region.
 */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { priorQuantiles } from '../../src/core/latent/normal';
import { axisPlane, manifoldCellPoint } from '../../src/core/latent/plane';
import { Store, type LatentPoint } from '../../src/app/state/store';
import type { PlaneView } from '../../src/app/view';
import { KEY_LIMIT, steppedCell, steppedPoint } from '../../src/app/panels/latent-keys';

// The Plotly wrapper stands in as an element with a drawn plot's axis mapping (support/fake-plot.tsx).
vi.mock('../../src/app/Plot', () => import('./support/fake-plot'));

const { LatentPanel } = await import('../../src/app/panels/LatentPanel');
const { ManifoldPanel } = await import('../../src/app/panels/ManifoldPanel');

afterEach(cleanup);

const view2d: PlaneView = { plane: axisPlane(2, 0, 1), axisNames: ['z1', 'z2'], key: 'z1,z2' };

describe('latent plot keys', () => {
  it('is a focusable application whose arrow keys move z by 0.1, with Shift by 0.5', () => {
    const point = new Store<LatentPoint>({ z: [0, 0], source: 'init' });
    render(<LatentPanel latents={null} testSet={null} view={view2d} point={point} />);
    const plot = screen.getByTestId('latent-plot');
    expect(plot.getAttribute('role')).toBe('application');
    expect(plot.tabIndex).toBe(0);
    expect(plot.getAttribute('aria-label')).toMatch(/z1 across, z2 up/);
    const help = document.getElementById(plot.getAttribute('aria-describedby')!);
    expect(help?.textContent).toMatch(/Arrow keys move z/);

    act(() => {
      plot.focus();
      fireEvent.keyDown(plot, { key: 'ArrowRight' });
    });
    expect(point.get().z).toEqual([0.1, 0]);
    expect(point.get().source).toBe('keyboard');
    act(() => {
      fireEvent.keyDown(plot, { key: 'ArrowUp', shiftKey: true });
    });
    expect(point.get().z[0]).toBeCloseTo(0.1, 12);
    expect(point.get().z[1]).toBeCloseTo(0.5, 12);
    for (let i = 0; i < 3; i++) act(() => void fireEvent.keyDown(plot, { key: 'ArrowLeft' }));
    act(() => void fireEvent.keyDown(plot, { key: 'ArrowDown' }));
    expect(point.get().z[0]).toBeCloseTo(-0.2, 12);
    expect(point.get().z[1]).toBeCloseTo(0.4, 12);
    // The point is described for a screen reader, and the new one announced.
    expect(help?.textContent).toMatch(/Current z: z1 -0\.20, z2 0\.40/);
    expect(document.querySelector('[aria-live="polite"]')?.textContent).toBe('z1 -0.20, z2 0.40');
  });

  it('leaves other keys (and Ctrl+arrows) to the browser', () => {
    const point = new Store<LatentPoint>({ z: [0.5, 0.5], source: 'init' });
    render(<LatentPanel latents={null} testSet={null} view={view2d} point={point} />);
    const plot = screen.getByTestId('latent-plot');
    expect(fireEvent.keyDown(plot, { key: 'a' })).toBe(true); // not prevented
    expect(fireEvent.keyDown(plot, { key: 'ArrowLeft', ctrlKey: true })).toBe(true);
    expect(point.get().z).toEqual([0.5, 0.5]);
    expect(fireEvent.keyDown(plot, { key: 'ArrowLeft' })).toBe(false); // prevented: no page scroll
  });

  it('steps along the view plane above 2-D, keeping the part of z off the plane', () => {
    const plane = axisPlane(4, 1, 3);
    const z = steppedPoint('ArrowUp', false, [0.3, 1, -2, 0.25], plane)!;
    expect(z[0]).toBeCloseTo(0.3, 12);
    expect(z[1]).toBeCloseTo(1, 12);
    expect(z[2]).toBeCloseTo(-2, 12);
    expect(z[3]).toBeCloseTo(0.35, 12);
    expect(steppedPoint('Enter', false, [0, 0], view2d.plane)).toBeNull();
  });

  it("stops at the sliders' ±4 along each view axis, and never moves a far point further out", () => {
    let z = [3.8, 0];
    for (let i = 0; i < 80; i++) z = steppedPoint('ArrowRight', true, z, view2d.plane)!;
    expect(z[0]).toBeCloseTo(KEY_LIMIT, 12); // was 39.8 after 80 presses
    expect(KEY_LIMIT).toBe(4);
    expect(steppedPoint('ArrowLeft', false, z, view2d.plane)![0]).toBeCloseTo(3.9, 12); // back in at once
    const far = [-6.2, 5];
    expect(steppedPoint('ArrowLeft', false, far, view2d.plane)).toEqual([-6.2, 5]); // a clicked far code stays where it is
    expect(steppedPoint('ArrowRight', false, far, view2d.plane)![0]).toBeCloseTo(-6.1, 12); // inward moves
    expect(steppedPoint('ArrowDown', true, far, view2d.plane)![1]).toBeCloseTo(4.5, 12);
  });
});

describe('drag modes', () => {
  it('form one radio group: one Tab stop, arrows choose and focus the next mode', () => {
    const point = new Store<LatentPoint>({ z: [0, 0], source: 'init' });
    render(<LatentPanel latents={null} testSet={null} view={view2d} point={point} />);
    const group = screen.getByRole('radiogroup', { name: 'What dragging in the plot does' });
    const radios = screen.getAllByRole('radio');
    expect(radios.map((r) => r.textContent)).toEqual(['move z', 'zoom', 'pan']);
    expect(radios.map((r) => r.tabIndex)).toEqual([0, -1, -1]);
    act(() => {
      radios[0].focus();
      fireEvent.keyDown(radios[0], { key: 'ArrowRight' });
    });
    const after = screen.getAllByRole('radio');
    expect(after.map((r) => r.getAttribute('aria-checked'))).toEqual(['false', 'true', 'false']);
    expect(after.map((r) => r.tabIndex)).toEqual([-1, 0, -1]);
    expect(document.activeElement).toBe(after[1]);
    act(() => void fireEvent.keyDown(after[1], { key: 'ArrowLeft' }));
    act(() => void fireEvent.keyDown(screen.getAllByRole('radio')[0], { key: 'ArrowLeft' })); // wraps to the last
    expect(screen.getAllByRole('radio')[2].getAttribute('aria-checked')).toBe('true');
    expect(document.activeElement).toBe(screen.getAllByRole('radio')[2]);
    expect(document.querySelector('.latent-box')?.className).toMatch(/mode-pan/);
    act(() => void fireEvent.keyDown(group, { key: 'Home' }));
    expect(screen.getAllByRole('radio')[0].getAttribute('aria-checked')).toBe('true');
  });
});

describe('manifold keys', () => {
  const n = 5;
  const renderManifold = (z: number[]) => {
    const point = new Store<LatentPoint>({ z, source: 'init' });
    render(<ManifoldPanel manifold={null} view={view2d} point={point} grid={n} onGridChange={() => undefined} side={28} />);
    return { point, canvas: screen.getByTestId('manifold') };
  };

  it('names the plane and the range it shows', () => {
    const { canvas } = renderManifold([0, 0]);
    expect(canvas.getAttribute('aria-label')).toMatch(/5 by 5 digits decoded along z1 \(across.*\) and z2 \(up.*\), each from -1\.64 to 1\.64/);
    expect(canvas.tabIndex).toBe(0);
  });

  it('starts the cursor at the current point, moves it with arrows, and Enter sets z to that cell', () => {
    const q = priorQuantiles(n);
    const { point, canvas } = renderManifold([q[3], q[1]]); // column 3, row n-1-1 = 3
    act(() => void fireEvent.focus(canvas));
    const cursor = () => document.querySelector<HTMLElement>('.manifold-cursor');
    expect(cursor()?.style.left).toBe('60%');
    expect(cursor()?.style.top).toBe('60%');
    act(() => void fireEvent.keyDown(canvas, { key: 'ArrowUp' }));
    act(() => void fireEvent.keyDown(canvas, { key: 'ArrowUp' }));
    act(() => void fireEvent.keyDown(canvas, { key: 'ArrowLeft' }));
    expect(point.get().z).toEqual([q[3], q[1]]); // arrows alone don't move z
    const live = document.querySelector('[aria-live="polite"]');
    expect(live?.textContent).toBe(`row 2 of 5, column 3: z1 ${q[2].toFixed(2)}, z2 ${q[3].toFixed(2)}`);
    act(() => void fireEvent.keyDown(canvas, { key: 'Enter' }));
    expect(point.get().z).toEqual(manifoldCellPoint(n, 1, 2, view2d.plane, [q[3], q[1]]));
    expect(point.get().source).toBe('manifold');
    expect(live?.textContent).toMatch(/^z moved to row 2 of 5, column 3/);
  });

  it('keeps the cursor inside the grid; Shift jumps a quarter of it, Home and End go to the row ends', () => {
    expect(steppedCell('ArrowLeft', false, { row: 0, col: 0 }, 5)).toEqual({ row: 0, col: 0 });
    expect(steppedCell('ArrowUp', false, { row: 0, col: 2 }, 5)).toEqual({ row: 0, col: 2 });
    expect(steppedCell('ArrowDown', true, { row: 0, col: 2 }, 15)).toEqual({ row: 4, col: 2 });
    expect(steppedCell('End', false, { row: 3, col: 2 }, 15)).toEqual({ row: 3, col: 14 });
    expect(steppedCell('Home', false, { row: 3, col: 2 }, 15)).toEqual({ row: 3, col: 0 });
    expect(steppedCell('x', false, { row: 3, col: 2 }, 15)).toBeNull();
  });
});
