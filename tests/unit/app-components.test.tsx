// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfirmDialog } from '../../src/app/controls/ConfirmDialog';
import { ControlsPanel, type ControlsPanelProps } from '../../src/app/controls/ControlsPanel';
import { DEFAULT_SETTINGS } from '../../src/app/state/settings';
import { ErrorBanner, StatusBar } from '../../src/app/StatusBar';
import { ERRORS_JOIN_MS, nextErrors, withdrawErrors } from '../../src/app/hooks/error-list';

afterEach(cleanup);

function controls(overrides: Partial<ControlsPanelProps> = {}) {
  const props: ControlsPanelProps = {
    settings: { ...DEFAULT_SETTINGS },
    onChange: vi.fn(),
    onInvalid: vi.fn(),
    training: false,
    ready: true,
    onTrainToggle: vi.fn(),
    onStep: vi.fn(),
    onReset: vi.fn(),
    ...overrides,
  };
  render(<ControlsPanel {...props} />);
  return props;
}

describe('ControlsPanel', () => {
  it('labels every control and explains it in a tooltip', () => {
    controls();
    for (const name of ['β (KL weight)', 'KL warm-up steps', 'Likelihood p(x|z)', 'Gaussian σ²', 'Learning rate', 'Batch size', 'Latent dimension', 'Hidden layers', 'Backend']) {
      const input = screen.getByLabelText(name);
      expect(input.getAttribute('title')?.length, name).toBeGreaterThan(30);
    }
    expect(screen.getByLabelText('β (KL weight)').getAttribute('title')).toMatch(/0 makes a plain autoencoder/);
    for (const id of ['train-toggle', 'step-button', 'reset-button']) expect(screen.getByTestId(id).getAttribute('title')).toBeTruthy();
  });

  it('shows Train when idle and Pause while training', () => {
    const props = controls();
    expect(screen.getByTestId('train-toggle').textContent).toBe('Train');
    fireEvent.click(screen.getByTestId('train-toggle'));
    fireEvent.click(screen.getByTestId('step-button'));
    fireEvent.click(screen.getByTestId('reset-button'));
    expect(props.onTrainToggle).toHaveBeenCalledOnce();
    expect(props.onStep).toHaveBeenCalledOnce();
    expect(props.onReset).toHaveBeenCalledOnce();
    cleanup();
    controls({ training: true });
    expect(screen.getByTestId('train-toggle').textContent).toBe('Pause');
  });

  it('disables the buttons until the model is ready', () => {
    controls({ ready: false });
    expect((screen.getByTestId('train-toggle') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('step-button') as HTMLButtonElement).disabled).toBe(true);
  });

  it('commits typed values on Enter, parsed like the URL, and reports bad ones', () => {
    const props = controls();
    const beta = screen.getByLabelText('β (KL weight)');
    fireEvent.change(beta, { target: { value: '0' } });
    expect(props.onChange).not.toHaveBeenCalled(); // not while typing
    fireEvent.keyDown(beta, { key: 'Enter' });
    expect(props.onChange).toHaveBeenCalledWith({ beta: 0 });
    const hidden = screen.getByLabelText('Hidden layers');
    fireEvent.change(hidden, { target: { value: '256, 64' } });
    fireEvent.blur(hidden);
    expect(props.onChange).toHaveBeenLastCalledWith({ hidden: [256, 64] });
    const lr = screen.getByLabelText('Learning rate');
    fireEvent.change(lr, { target: { value: '5' } });
    fireEvent.keyDown(lr, { key: 'Enter' });
    expect(props.onInvalid).toHaveBeenCalledWith(expect.stringMatching(/learning rate must be a number between 0 and 1/));
    expect(props.onChange).toHaveBeenCalledTimes(2);
  });

  it('applies selects at once; σ² is only editable for the Gaussian likelihood', () => {
    const props = controls();
    expect((screen.getByLabelText('Gaussian σ²') as HTMLInputElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Likelihood p(x|z)'), { target: { value: 'gaussian' } });
    fireEvent.change(screen.getByLabelText('Batch size'), { target: { value: '256' } });
    expect(props.onChange).toHaveBeenCalledWith({ likelihood: 'gaussian' });
    expect(props.onChange).toHaveBeenCalledWith({ batch: 256 });
  });

  it('offers a projection choice above two latent dimensions', () => {
    expect(screen.queryByLabelText('Scatter shows')).toBeNull();
    const props = controls({ settings: { ...DEFAULT_SETTINGS, latent: 5, proj: 'dims', dims: [0, 1] } });
    expect(screen.getByLabelText('Scatter shows')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('y axis'), { target: { value: '4' } });
    expect(props.onChange).toHaveBeenCalledWith({ dims: [0, 4] });
  });
});

describe('StatusBar and ErrorBanner', () => {
  it('shows step, epoch, throughput and backend in a status region', () => {
    render(
      <StatusBar
        phase="ready"
        backend="wasm (2 threads, SIMD)"
        progress={null}
        status={{ generation: 1, training: true, step: 1234, epoch: 2, epochProgress: 0.5, stepsPerEpoch: 469, examplesPerSecond: 2345.6 }}
      />,
    );
    const status = screen.getByRole('status');
    expect(status.getAttribute('data-testid')).toBe('status');
    expect(status.textContent).toMatch(/step 1234/);
    expect(status.textContent).toMatch(/epoch 3/);
    expect(status.textContent).toMatch(/2346 examples\/s/);
    expect(status.textContent).toMatch(/wasm/);
    expect(status.textContent).toMatch(/training/);
  });

  it('shows the dataset download as a progress bar', () => {
    render(<StatusBar phase="loading" backend={null} status={null} progress={{ fraction: 0.4, message: 'Downloading /data/mnist: 4.4 MB' }} />);
    const bar = screen.getByLabelText('dataset download') as HTMLProgressElement;
    expect(Number(bar.getAttribute('value'))).toBeCloseTo(0.4);
    expect(screen.getByRole('status').textContent).toMatch(/step 0.*epoch 1.*0 examples\/s/s);
    expect(screen.queryByTestId('skip-dataset')).toBeNull(); // the built-in MNIST: nothing to skip to
  });

  it("offers the built-in MNIST while the address's dataset downloads", () => {
    const onSkipDataset = vi.fn();
    render(<StatusBar phase="loading" backend={null} status={null} progress={{ fraction: 0, message: 'Downloading http://slow.example/data', skippable: true }} onSkipDataset={onSkipDataset} />);
    fireEvent.click(screen.getByRole('button', { name: 'Use built-in MNIST' }));
    expect(onSkipDataset).toHaveBeenCalledOnce();
  });

  it('puts errors in an alert that can be dismissed', () => {
    const onDismiss = vi.fn();
    const { rerender } = render(<ErrorBanner message={null} onDismiss={onDismiss} />);
    expect(screen.queryByRole('alert')).toBeNull();
    rerender(<ErrorBanner message="Training diverged: try a lower learning rate." onDismiss={onDismiss} />);
    expect(screen.getByTestId('error').textContent).toMatch(/lower learning rate/);
    fireEvent.click(screen.getByLabelText('Dismiss the error'));
    expect(onDismiss).toHaveBeenCalled();
  });

  it('shows several errors one a line, in one span', () => {
    render(<ErrorBanner message={'The dataset failed.\nThe model failed.'} onDismiss={() => undefined} />);
    const spans = screen.getByTestId('error').querySelectorAll('span');
    expect(spans).toHaveLength(1);
    expect(spans[0].innerHTML).toBe('The dataset failed.<br>The model failed.');
  });
});

describe('the error list', () => {
  it('keeps the errors of the last 15 s beside a new one, each once, at most three; null clears', () => {
    let list = nextErrors([], 'A failed.', 0);
    list = nextErrors(list, 'B failed.', 2_000);
    expect(list.map((e) => e.message)).toEqual(['A failed.', 'B failed.']); // two inputs failing together both say so
    list = nextErrors(list, 'A failed.', 3_000);
    expect(list.map((e) => e.message)).toEqual(['B failed.', 'A failed.']); // a repeat moves to the end, once
    list = nextErrors(list, 'C failed.', 4_000);
    list = nextErrors(list, 'D failed.', 5_000);
    expect(list.map((e) => e.message)).toEqual(['A failed.', 'C failed.', 'D failed.']);
    expect(nextErrors(list, 'E failed.', 5_000 + ERRORS_JOIN_MS).map((e) => e.message)).toEqual(['E failed.']); // older ones have gone
    expect(nextErrors(list, null, 6_000)).toEqual([]);
  });

  it('a success withdraws the errors it answers and keeps the rest (the same list when none match)', () => {
    const list = nextErrors(nextErrors([], 'Not applied: β must be a number from 0 to 10.', 0), 'The dataset failed.', 1_000);
    expect(withdrawErrors(list, (m) => m.startsWith('Not applied:')).map((e) => e.message)).toEqual(['The dataset failed.']);
    expect(withdrawErrors(list, (m) => m.startsWith('Nothing'))).toBe(list);
  });

  it('the same error with new numbers replaces the old one (Train pressed again after a divergence)', () => {
    const diverged = (at: number) => `Training diverged: the loss became NaN or infinite at step ${at}. The weights were rolled back to step 373; try a lower learning rate.`;
    let list = nextErrors([], 'A failed.', 0);
    list = nextErrors(list, diverged(374), 1_000);
    list = nextErrors(list, diverged(375), 2_000);
    expect(list.map((e) => e.message)).toEqual(['A failed.', diverged(375)]);
    list = nextErrors(list, 'The file a.json is truncated: it holds 1.2 MB but model.json describes 2.0 MB.', 3_000);
    expect(list).toHaveLength(3); // a different sentence still joins
  });
});

describe('ConfirmDialog', () => {
  it('asks, and Escape or the keep button cancels', () => {
    const onConfirm = vi.fn();
    const onCancel = vi.fn();
    render(<ConfirmDialog message="Changing the latent dimension needs a new network." confirmLabel="Discard weights and apply" onConfirm={onConfirm} onCancel={onCancel} />);
    expect(screen.getByRole('alertdialog').textContent).toMatch(/latent dimension/);
    act(() => {
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    });
    expect(onCancel).toHaveBeenCalledOnce();
    fireEvent.click(screen.getByText('Discard weights and apply'));
    expect(onConfirm).toHaveBeenCalledOnce();
  });
});
