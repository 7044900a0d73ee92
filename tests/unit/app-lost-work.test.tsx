// @vitest-environment happy-dom
/**
 * Work the page must not throw away: Reset asks when trained steps would be lost, the question's
 * count stays live, Enter in a field asks without answering, settings changes keep the latent point.
 */
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeWorker, ready, status, weights } from './support/fake-worker';

// Plotly needs a real browser; the panels' Plotly wrapper is replaced by a plain element here.
vi.mock('../../src/app/Plot', () => ({
  Plot: ({ testId, ariaLabel }: { testId?: string; ariaLabel?: string }) => <div data-testid={testId} aria-label={ariaLabel} />,
}));

const { App } = await import('../../src/app/App');

beforeEach(() => window.history.replaceState(null, '', '/'));
afterEach(cleanup);

/** The app, ready, with `steps` trained steps. */
function trainedApp(steps: number) {
  const w = fakeWorker();
  render(<App search="" createPort={() => w.port} />);
  ready(w);
  weights(w, 2);
  if (steps > 0) w.emit(status({ step: steps, training: true }));
  return w;
}

/**
 * Presses Enter in a field as a browser does: keydown on the field; unless that keydown was
 * default-prevented, the keystroke's activation lands on whatever has focus by then (a focused
 * button is clicked); then keyup on the focused element.
 */
function pressEnter(field: HTMLElement) {
  const notPrevented = fireEvent.keyDown(field, { key: 'Enter', code: 'Enter' });
  const focused = document.activeElement as HTMLElement | null;
  if (notPrevented && focused instanceof HTMLButtonElement) fireEvent.click(focused);
  fireEvent.keyUp(document.activeElement ?? document.body, { key: 'Enter', code: 'Enter' });
  return notPrevented;
}

describe('Reset', () => {
  it('starts over at once when nothing has been trained (step 0)', () => {
    const w = trainedApp(0);
    fireEvent.click(screen.getByTestId('reset-button'));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(w.count('reset')).toBe(1);
  });

  it('asks before discarding trained steps, and only a confirmation resets', () => {
    const w = trainedApp(240);
    fireEvent.click(screen.getByTestId('reset-button'));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toMatch(/240 training steps/);
    expect(w.count('reset')).toBe(0);
    fireEvent.click(within(dialog).getByText('Keep training this model'));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(w.count('reset')).toBe(0);

    fireEvent.click(screen.getByTestId('reset-button'));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: /reset/i }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(w.count('reset')).toBe(1);
    expect(w.last('reset')!.generation).toBe(2);
  });
});

describe('the confirmation', () => {
  it('counts the steps that would be lost while training goes on behind it', () => {
    const w = trainedApp(100);
    const latent = screen.getByLabelText('Latent dimension');
    fireEvent.change(latent, { target: { value: '3' } });
    pressEnter(latent);
    expect(screen.getByRole('alertdialog').textContent).toMatch(/the 100 training steps/);
    w.emit(status({ step: 163, training: true }));
    expect(screen.getByRole('alertdialog').textContent).toMatch(/the 163 training steps/);
    expect(screen.getByRole('alertdialog').textContent).not.toMatch(/\b100\b/);
  });

  it('opens on Enter in the latent-dimension field, focused on a button, and the same Enter does not answer it', () => {
    const w = trainedApp(50);
    const latent = screen.getByLabelText('Latent dimension');
    fireEvent.change(latent, { target: { value: '4' } });
    expect(pressEnter(latent)).toBe(false); // the keydown is consumed by the field
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.contains(document.activeElement)).toBe(true);
    expect(document.activeElement?.tagName).toBe('BUTTON');
    expect(w.count('reset')).toBe(0);
    // A deliberate answer still works, and applies the typed value.
    fireEvent.click(within(dialog).getByText('Discard weights and apply'));
    expect(w.last('reset')!.config.latentDim).toBe(4);
    expect(screen.getAllByRole('slider')).toHaveLength(4);
  });

  it('opens on Enter in the hidden-layers field and stays open', () => {
    const w = trainedApp(50);
    const hidden = screen.getByLabelText('Hidden layers');
    fireEvent.change(hidden, { target: { value: '64,32' } });
    pressEnter(hidden);
    expect(screen.getByRole('alertdialog').textContent).toMatch(/hidden layers.*50 training steps/s);
    expect(w.count('reset')).toBe(0);
    // Escape cancels, and the field shows the model's layers again.
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect((screen.getByLabelText('Hidden layers') as HTMLInputElement).value).toBe('512,256');
  });
});

describe('settings that keep the weights', () => {
  it('keep the chosen latent point (learning rate, β, batch size, warm-up, grid)', () => {
    const w = fakeWorker();
    // No search prop: the app reads the page's address, which it rewrites on every settings change.
    render(<App createPort={() => w.port} />);
    ready(w);
    weights(w, 2);
    w.emit(status({ step: 30, training: true }));
    const canvas = screen.getByTestId('decoded-digit');
    fireEvent.change(screen.getByLabelText('z1'), { target: { value: '1.5' } });
    fireEvent.change(screen.getByLabelText('z2'), { target: { value: '-0.75' } });
    expect(canvas.getAttribute('data-z')).toBe('1.500,-0.750');

    const typed: [string, string][] = [
      ['Learning rate', '0.002'],
      ['β (KL weight)', '2'],
      ['KL warm-up steps', '500'],
    ];
    for (const [label, value] of typed) {
      const field = screen.getByLabelText(label);
      fireEvent.change(field, { target: { value } });
      pressEnter(field);
      expect(screen.getByTestId('decoded-digit').getAttribute('data-z'), label).toBe('1.500,-0.750');
    }
    fireEvent.change(screen.getByLabelText('Batch size'), { target: { value: '256' } });
    expect(screen.getByTestId('decoded-digit').getAttribute('data-z')).toBe('1.500,-0.750');
    fireEvent.change(screen.getByLabelText('manifold grid size'), { target: { value: '11' } });
    expect(screen.getByTestId('decoded-digit').getAttribute('data-z')).toBe('1.500,-0.750');

    expect(window.location.search).toMatch(/lr=0.002.*beta=2.*warmup=500.*grid=11/);
    expect(w.last('configure')!.config).toMatchObject({ learningRate: 0.002, beta: 2, klWarmupSteps: 500, batchSize: 256 });
    expect(w.count('reset')).toBe(0);
    expect(w.count('init')).toBe(1);
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });
});
