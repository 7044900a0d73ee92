// @vitest-environment happy-dom
/** The conditional VAE's class picker (`decode-class`) and class row (`class-row`), issue 12.1. */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClassControls } from '../../src/app/panels/ClassControls';
import { classNamesFor } from '../../src/core/data/class-names';
import { Store, type LatentPoint } from '../../src/app/state/store';

afterEach(cleanup);

/** A decodeClasses whose answers the test releases one by one. */
function controlledDecoder() {
  const calls: { z: number[]; resolve: (p: Float32Array | null) => void }[] = [];
  const decodeClasses = vi.fn((z: number[]) => new Promise<Float32Array | null>((resolve) => calls.push({ z, resolve })));
  return { calls, decodeClasses };
}

describe('ClassControls', () => {
  it('the picker lists every class and asks for the chosen one; it is disabled until the worker took it', async () => {
    const point = new Store<LatentPoint>({ z: [0, 0], source: 'init' });
    let finish: () => void = () => {};
    const onClass = vi.fn(() => new Promise<void>((r) => (finish = r)));
    const { decodeClasses } = controlledDecoder();
    render(<ClassControls classes={10} decodeClass={0} onClass={onClass} decodeClasses={decodeClasses} point={point} side={28} />);
    const picker = screen.getByTestId('decode-class') as HTMLSelectElement;
    expect(picker.options).toHaveLength(10);
    expect(screen.getByLabelText(/Decode as class/)).toBe(picker);
    fireEvent.change(picker, { target: { value: '7' } });
    expect(onClass).toHaveBeenCalledWith(7);
    expect(picker.disabled).toBe(true);
    await act(async () => finish());
    expect(picker.disabled).toBe(false);
  });

  it('the row decodes the current z under every class, and a moved z once the request in flight is answered', async () => {
    const point = new Store<LatentPoint>({ z: [0.5, -1], source: 'init' });
    const { calls, decodeClasses } = controlledDecoder();
    render(<ClassControls classes={3} decodeClass={1} onClass={vi.fn(async () => {})} decodeClasses={decodeClasses} point={point} side={2} names={['a', 'b', 'c']} />);
    const row = screen.getByTestId('class-row');
    expect(row.querySelectorAll('canvas')).toHaveLength(3);
    expect(row.querySelector('.chosen figcaption')?.textContent).toBe('b');
    expect(calls.map((c) => c.z)).toEqual([[0.5, -1]]);
    // Two moves while the first request is in flight: only the last is asked for, after the answer.
    act(() => point.set({ z: [1, 1], source: 'drag' }));
    act(() => point.set({ z: [2, 2], source: 'drag' }));
    expect(calls).toHaveLength(1);
    await act(async () => calls[0].resolve(new Float32Array(3 * 4).fill(0.5)));
    expect(calls.map((c) => c.z)).toEqual([[0.5, -1], [2, 2]]);
  });

  it("lists Fashion-MNIST's names in the picker and under the row's tiles (long ones cut, whole in the tooltip), and says image, not digit", () => {
    const point = new Store<LatentPoint>({ z: [0, 0], source: 'init' });
    const names = classNamesFor('fashion-mnist', 10);
    render(<ClassControls classes={10} decodeClass={9} onClass={vi.fn(async () => {})} decodeClasses={controlledDecoder().decodeClasses} point={point} side={28} names={names} />);
    const picker = screen.getByTestId('decode-class') as HTMLSelectElement;
    expect([...picker.options].map((o) => o.textContent)).toEqual(names);
    expect(picker.selectedOptions[0].textContent).toBe('Ankle boot');
    const cells = [...screen.getByTestId('class-row').querySelectorAll('figure')];
    expect(cells.map((f) => f.getAttribute('title'))).toEqual(names);
    expect(cells[0].querySelector('canvas')!.getAttribute('aria-label')).toBe('z decoded as class T-shirt/top');
    expect(screen.getByLabelText(/Decode as class/).closest('label')!.title).toMatch(/the decoded image,/);
  });

  it("KMNIST's tiles show the kana alone, the picker the kana and its reading; 47 EMNIST classes each get a tile", () => {
    const point = new Store<LatentPoint>({ z: [0, 0], source: 'init' });
    render(<ClassControls classes={10} decodeClass={0} onClass={vi.fn(async () => {})} decodeClasses={controlledDecoder().decodeClasses} point={point} side={28} names={classNamesFor('kmnist', 10)} />);
    expect((screen.getByTestId('decode-class') as HTMLSelectElement).options[1].textContent).toBe('き (ki)');
    expect(screen.getByTestId('class-row').querySelectorAll('figcaption')[1].textContent).toBe('き');
    cleanup();
    render(<ClassControls classes={47} decodeClass={0} onClass={vi.fn(async () => {})} decodeClasses={controlledDecoder().decodeClasses} point={point} side={28} names={classNamesFor('emnist-balanced', 47)} />);
    expect(screen.getByTestId('class-row').querySelectorAll('canvas')).toHaveLength(47);
    expect((screen.getByTestId('decode-class') as HTMLSelectElement).options[46].textContent).toBe('t');
  });

  it('a model made for another number of classes than the dataset has keeps its label numbers', () => {
    const point = new Store<LatentPoint>({ z: [0, 0], source: 'init' });
    render(<ClassControls classes={10} decodeClass={0} onClass={vi.fn(async () => {})} decodeClasses={controlledDecoder().decodeClasses} point={point} side={28} names={classNamesFor('emnist-letters', 26)} />);
    expect([...(screen.getByTestId('decode-class') as HTMLSelectElement).options].map((o) => o.textContent)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('decodes the row again when the weights change (a new manifold), and keeps many classes on one scrolling line', async () => {
    const point = new Store<LatentPoint>({ z: [0, 0], source: 'init' });
    const { calls, decodeClasses } = controlledDecoder();
    const props = { classes: 47, decodeClass: 0, onClass: vi.fn(async () => {}), decodeClasses, point, side: 28, names: classNamesFor('emnist-balanced', 47) };
    const { rerender } = render(<ClassControls {...props} refreshKey={1} />);
    expect(screen.getByTestId('class-row').style.flexWrap).toBe('nowrap');
    await act(async () => calls[0].resolve(null));
    rerender(<ClassControls {...props} refreshKey={1} />);
    expect(calls).toHaveLength(1);
    rerender(<ClassControls {...props} refreshKey={2} />);
    expect(calls).toHaveLength(2);
    cleanup();
    render(<ClassControls {...props} classes={10} names={undefined} />);
    expect(screen.getByTestId('class-row').style.flexWrap).toBe('');
  });
});

