// @vitest-environment happy-dom
/**
 * The model family and "Conditional on the class" in the controls panel (issue 12): like the other
 * architecture settings they need new weights (asked first once steps were trained), keep the address
 * in sync, and a convolutional model has no hidden sizes to set (the field says why).
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONV_HIDDEN_NOTE } from '../../src/app/controls/ControlsPanel';
import { SETTING_ROWS } from '../../src/core/model/settings-table';
import { fakeWorker, ready, status } from './support/fake-worker';

vi.mock('../../src/app/Plot', () => import('./support/fake-plot'));

const { App } = await import('../../src/app/App');

afterEach(cleanup);

const lastAddress = (replace: ReturnType<typeof vi.spyOn>) => String(replace.mock.calls.at(-1)?.[2]);

describe('model family and conditional controls', () => {
  it('switch to a convolutional CVAE at once when nothing is trained, in the address too; hidden sizes then do not apply', () => {
    const w = fakeWorker();
    const replace = vi.spyOn(window.history, 'replaceState');
    render(<App search="" createPort={() => w.port} />);
    ready(w);
    const family = screen.getByLabelText(SETTING_ROWS.arch.label) as HTMLSelectElement;
    expect([...family.options].map((o) => [o.value, o.textContent])).toEqual([['mlp', 'MLP'], ['conv', 'Conv']]);
    expect(family.value).toBe('mlp');
    const hidden = screen.getByLabelText(SETTING_ROWS.hidden.label) as HTMLInputElement;
    expect(hidden.disabled).toBe(false);

    fireEvent.change(family, { target: { value: 'conv' } });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(w.last('reset')!.config).toMatchObject({ family: 'conv', conditional: false });
    expect(lastAddress(replace)).toMatch(/[?&]arch=conv(&|$)/);
    expect(hidden.disabled).toBe(true);
    expect(screen.getByText(CONV_HIDDEN_NOTE)).toBeTruthy();

    const conditional = screen.getByLabelText(SETTING_ROWS.conditional.label) as HTMLInputElement;
    expect(conditional.type).toBe('checkbox');
    expect(conditional.title).toBe(SETTING_ROWS.conditional.tip);
    fireEvent.click(conditional);
    expect(w.last('reset')!.config).toMatchObject({ family: 'conv', conditional: true });
    expect(w.last('reset')!.generation).toBe(3);
    expect(conditional.checked).toBe(true);
    expect(lastAddress(replace)).toMatch(/[?&]conditional=1(&|$)/);
  });

  it('ask before discarding trained steps, and keep the model (and the box unticked) when told to', () => {
    const w = fakeWorker();
    render(<App search="?arch=conv" createPort={() => w.port} />);
    ready(w);
    expect((screen.getByLabelText(SETTING_ROWS.arch.label) as HTMLSelectElement).value).toBe('conv');
    w.emit(status({ step: 80 }));
    const conditional = screen.getByLabelText(SETTING_ROWS.conditional.label) as HTMLInputElement;
    fireEvent.click(conditional);
    expect(screen.getByRole('alertdialog').textContent).toMatch(/Changing conditioning on the class needs a new network.*80 training steps/s);
    fireEvent.click(screen.getByText('Keep training this model'));
    expect(w.last('reset')).toBeUndefined();
    expect(conditional.checked).toBe(false);

    fireEvent.change(screen.getByLabelText(SETTING_ROWS.arch.label), { target: { value: 'mlp' } });
    expect(screen.getByRole('alertdialog').textContent).toMatch(/Changing the model family needs a new network/);
    fireEvent.click(screen.getByText('Discard weights and apply'));
    expect(w.last('reset')!.config).toMatchObject({ family: 'mlp', hidden: [512, 256] });
    expect((screen.getByLabelText(SETTING_ROWS.hidden.label) as HTMLInputElement).disabled).toBe(false);
  });
});
