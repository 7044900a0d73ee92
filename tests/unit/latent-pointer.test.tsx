// @vitest-environment happy-dom
/**
 * A drag in the latent plot when the browser refuses pointer capture (a pen or touch pointer that
 * is already gone): the handlers must not throw, and the press and the moves still decode.
 */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { axisPlane } from '../../src/core/latent/plane';
import type { PointDecoder } from '../../src/app/decoding';
import { Store, type LatentPoint } from '../../src/app/state/store';
import type { PlaneView } from '../../src/app/view';

// The Plotly wrapper stands in as an element with a drawn plot's axis mapping (support/fake-plot.tsx).
vi.mock('../../src/app/Plot', () => import('./support/fake-plot'));

const { LatentPanel } = await import('../../src/app/panels/LatentPanel');
const { DecodedPanel } = await import('../../src/app/panels/DecodedPanel');

afterEach(cleanup);

const view: PlaneView = { plane: axisPlane(2, 0, 1), axisNames: ['z1', 'z2'], key: 'z1,z2' };

/** Both panels around one latent point, with a decoder that records what it decodes. */
function panels() {
  const point = new Store<LatentPoint>({ z: [0, 0], source: 'init' });
  const decoded: number[][] = [];
  const fake: PointDecoder = { latentDim: 2, immediate: true, decode: (z, show) => (decoded.push([...z]), show(new Float32Array(784))) };
  const decoder = new Store<PointDecoder | null>(fake);
  const { container } = render(
    <>
      <LatentPanel latents={null} testSet={null} view={view} point={point} />
      <DecodedPanel point={point} decoder={decoder} side={28} />
    </>,
  );
  const box = container.querySelector('.latent-box') as HTMLDivElement;
  return { point, decoded, box };
}

const gone = () => {
  throw new DOMException('No active pointer with the given id is found.', 'NotFoundError');
};

describe('dragging in the latent plot', () => {
  it('decodes the press and the moves when setPointerCapture throws', () => {
    const { point, decoded, box } = panels();
    const capture = vi.fn(gone);
    box.setPointerCapture = capture;
    const errors: unknown[] = [];
    const onError = (e: ErrorEvent) => errors.push(e.error);
    window.addEventListener('error', onError);
    try {
      act(() => {
        fireEvent.pointerDown(box, { pointerId: 3, pointerType: 'pen', button: 0, clientX: 110, clientY: 60 });
      });
      expect(capture).toHaveBeenCalledWith(3);
      expect(point.get().z).toEqual([0, 1]);
      expect(point.get().source).toBe('drag');
      expect(decoded.at(-1)).toEqual([0, 1]);
      expect(screen.getByTestId('decoded-digit').getAttribute('data-z')).toBe('0.000,1.000');

      act(() => {
        fireEvent.pointerMove(box, { pointerId: 3, pointerType: 'pen', clientX: 160, clientY: 110 });
      });
      expect(point.get().z).toEqual([1, 0]);
      expect(decoded.at(-1)).toEqual([1, 0]);
    } finally {
      window.removeEventListener('error', onError);
    }
    expect(errors).toEqual([]);
  });

  it('ends the drag when releasing the capture throws, and later moves no longer set z', () => {
    const { point, box } = panels();
    box.hasPointerCapture = () => true;
    const release = vi.fn(gone);
    box.releasePointerCapture = release;
    box.setPointerCapture = () => undefined;
    act(() => {
      fireEvent.pointerDown(box, { pointerId: 5, pointerType: 'touch', button: 0, clientX: 60, clientY: 160 });
    });
    expect(point.get().z).toEqual([-1, -1]);
    expect(() =>
      act(() => {
        fireEvent.pointerUp(box, { pointerId: 5, pointerType: 'touch', clientX: 60, clientY: 160 });
      }),
    ).not.toThrow();
    expect(release).toHaveBeenCalledWith(5);
    act(() => {
      fireEvent.pointerMove(box, { pointerId: 5, pointerType: 'touch', clientX: 160, clientY: 60 });
    });
    expect(point.get().z).toEqual([-1, -1]);
  });
});
