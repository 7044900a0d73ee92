// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WorkerPort } from '../../src/worker/client';
import { backendFailedMessage, type TrainingStatus, type WorkerEvent, type WorkerRequest } from '../../src/worker/protocol';

// Plotly needs a real browser; the panels' Plotly wrapper is replaced by a plain element here.
vi.mock('../../src/app/Plot', () => ({
  Plot: ({ testId, ariaLabel }: { testId?: string; ariaLabel?: string }) => <div data-testid={testId} aria-label={ariaLabel} />,
}));

const { App } = await import('../../src/app/App');

afterEach(cleanup);

/** A worker stand-in: records requests, lets the test emit events. */
function fakeWorker() {
  const sent: WorkerRequest[] = [];
  const listeners = new Set<(e: MessageEvent<WorkerEvent>) => void>();
  const port: WorkerPort = {
    postMessage: (m) => sent.push(m),
    addEventListener: (type, l) => {
      if (type === 'message') listeners.add(l);
    },
    removeEventListener: (_t, l) => listeners.delete(l),
    terminate: () => undefined,
  };
  const emit = (event: WorkerEvent) => act(() => listeners.forEach((l) => l({ data: event } as MessageEvent<WorkerEvent>)));
  const last = <T extends WorkerRequest['type']>(type: T) => sent.filter((r): r is Extract<WorkerRequest, { type: T }> => r.type === type).at(-1);
  return { port, sent, emit, last };
}

const status = (over: Partial<TrainingStatus> = {}): WorkerEvent => ({
  type: 'status',
  status: { generation: 1, training: false, step: 0, epoch: 0, epochProgress: 0, stepsPerEpoch: 469, examplesPerSecond: 0, ...over },
});

function ready(w: ReturnType<typeof fakeWorker>) {
  const init = w.last('init')!;
  w.emit({ type: 'ready', id: init.id, backend: 'wasm', backendLabel: 'wasm (2 threads, SIMD)', datasetName: 'mnist', trainCount: 60000, testCount: 2, imageShape: [28, 28, 1], testLabels: new Uint8Array([3, 7]), testImages: new Uint8Array(2 * 784) });
  w.emit(status());
}

function weights(w: ReturnType<typeof fakeWorker>, latentDim: number, generation = 1) {
  const layer = (inDim: number, outDim: number) => ({ kernel: new Float32Array(inDim * outDim).fill(0.01), bias: new Float32Array(outDim), inDim, outDim, activation: 'relu' as const });
  w.emit({ type: 'weights', generation, step: 0, decoder: { layers: [layer(latentDim, 8), { ...layer(8, 784), activation: 'linear' }] } });
}

describe('App', () => {
  it('lays out every panel with the agreed test ids and starts the worker from the URL settings', () => {
    const w = fakeWorker();
    render(<App search="?latent=2&beta=0.5&grid=9" createPort={() => w.port} />);
    for (const id of ['train-toggle', 'step-button', 'reset-button', 'status', 'loss-chart', 'latent-plot', 'decoded-digit', 'manifold']) {
      expect(screen.getByTestId(id), id).toBeTruthy();
    }
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('VAE Playground');
    const init = w.last('init')!;
    expect(init.config).toMatchObject({ latentDim: 2, beta: 0.5 });
    expect(init.view.n).toBe(9);
    expect(init.dataUrl).toMatch(/^http.*\/data\/mnist\/$/);
    expect(screen.getByTestId('decoded-digit').getAttribute('data-z')).toBe('0.000,0.000');
  });

  it('in StrictMode (npm run dev) the worker stopped by the first effect cleanup shows no error', async () => {
    const workers: ReturnType<typeof fakeWorker>[] = [];
    render(
      <StrictMode>
        <App search="" createPort={() => (workers.push(fakeWorker()), workers.at(-1)!.port)} />
      </StrictMode>,
    );
    await act(async () => undefined);
    expect(workers.length).toBe(2); // the first worker was stopped, a second one started
    ready(workers[1]);
    expect(screen.queryByRole('alert')).toBeNull();
    expect((screen.getByTestId('train-toggle') as HTMLButtonElement).disabled).toBe(false);
  });

  it('trains and pauses through the worker, showing its status', () => {
    const w = fakeWorker();
    render(<App search="" createPort={() => w.port} />);
    expect((screen.getByTestId('train-toggle') as HTMLButtonElement).disabled).toBe(true);
    ready(w);
    expect(screen.getByRole('status').textContent).toMatch(/wasm \(2 threads, SIMD\)/);
    fireEvent.click(screen.getByTestId('train-toggle'));
    expect(w.last('train')).toBeTruthy();
    w.emit(status({ training: true, step: 40, examplesPerSecond: 2500 }));
    expect(screen.getByTestId('train-toggle').textContent).toBe('Pause');
    expect(screen.getByRole('status').textContent).toMatch(/step 40.*epoch 1.*2500 examples\/s/s);
    fireEvent.click(screen.getByTestId('train-toggle'));
    expect(w.last('pause')).toBeTruthy();
    // The button offers Train at once; the status line says pausing until the worker says it stopped.
    expect(screen.getByTestId('train-toggle').textContent).toBe('Train');
    expect(screen.getByRole('status').textContent).toMatch(/pausing.*step 40/s);
    w.emit(status({ training: true, step: 42, examplesPerSecond: 2500 })); // the step in flight lands
    expect(screen.getByTestId('train-toggle').textContent).toBe('Train');
    expect(screen.getByRole('status').textContent).toMatch(/pausing.*step 42/s);
    w.emit(status({ training: false, step: 42 }));
    expect(screen.getByRole('status').textContent).toMatch(/paused.*step 42.*0 examples\/s/s);
    fireEvent.click(screen.getByTestId('step-button'));
    expect(w.last('step')).toBeTruthy();
  });

  it('a setting that applies withdraws the refusals before it, and no other error', () => {
    const w = fakeWorker();
    render(<App search="" createPort={() => w.port} />);
    ready(w);
    w.emit({ type: 'error', id: null, message: 'No dataset found at http://x/data: the server answered 404 Not Found. The built-in MNIST is used instead.' });
    const beta = screen.getByLabelText('β (KL weight)');
    fireEvent.change(beta, { target: { value: '-1' } });
    fireEvent.keyDown(beta, { key: 'Enter' });
    expect(screen.getByRole('alert').textContent).toMatch(/Not applied: β \(the KL weight\) must be/);
    fireEvent.change(beta, { target: { value: '0.5' } });
    fireEvent.keyDown(beta, { key: 'Enter' });
    expect(w.last('configure')!.config.beta).toBe(0.5);
    const alert = screen.getByRole('alert').textContent ?? '';
    expect(alert).not.toMatch(/Not applied/);
    expect(alert).toMatch(/No dataset found/);
  });

  it('a backend that starts withdraws the sentence about one that did not', () => {
    const w = fakeWorker();
    render(<App search="" createPort={() => w.port} />);
    w.emit({ type: 'error', id: null, message: backendFailedMessage('webgpu') });
    expect(screen.getByRole('alert').textContent).toMatch(/webgpu/);
    ready(w);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('keeps the URL in sync and applies training settings without new weights', () => {
    const w = fakeWorker();
    const replace = vi.spyOn(window.history, 'replaceState');
    render(<App search="" createPort={() => w.port} />);
    ready(w);
    const beta = screen.getByLabelText('β (KL weight)');
    fireEvent.change(beta, { target: { value: '0' } });
    fireEvent.keyDown(beta, { key: 'Enter' });
    expect(String(replace.mock.calls.at(-1)?.[2])).toMatch(/[?&]beta=0(&|$)/);
    expect(w.last('configure')!.config.beta).toBe(0);
    expect(w.last('reset')).toBeUndefined();
  });

  it('asks before a new latent dimension discards trained weights', () => {
    const w = fakeWorker();
    render(<App search="" createPort={() => w.port} />);
    ready(w);
    w.emit(status({ step: 120 }));
    const latent = screen.getByLabelText('Latent dimension');
    fireEvent.change(latent, { target: { value: '3' } });
    fireEvent.keyDown(latent, { key: 'Enter' });
    expect(screen.getByRole('alertdialog').textContent).toMatch(/latent dimension.*120 training steps/s);
    fireEvent.click(screen.getByText('Keep training this model'));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(w.last('reset')).toBeUndefined();
    expect((screen.getByLabelText('Latent dimension') as HTMLInputElement).value).toBe('2');

    fireEvent.change(latent, { target: { value: '3' } });
    fireEvent.keyDown(latent, { key: 'Enter' });
    fireEvent.click(screen.getByText('Discard weights and apply'));
    const reset = w.last('reset')!;
    expect(reset.config.latentDim).toBe(3);
    expect(reset.generation).toBe(2);
    expect(screen.getByTestId('decoded-digit').getAttribute('data-z')).toBe('0.000,0.000,0.000');
    expect(screen.getAllByRole('slider')).toHaveLength(3);
  });

  it('changes the architecture at once when nothing has been trained', () => {
    const w = fakeWorker();
    render(<App search="" createPort={() => w.port} />);
    ready(w);
    fireEvent.change(screen.getByLabelText('Likelihood p(x|z)'), { target: { value: 'gaussian' } });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(w.last('reset')!.config.likelihood).toBe('gaussian');
  });

  it('samples z from the prior and shows worker errors in plain words', () => {
    const w = fakeWorker();
    render(<App search="" createPort={() => w.port} />);
    ready(w);
    weights(w, 2);
    const canvas = screen.getByTestId('decoded-digit');
    fireEvent.click(screen.getByText('Sample z ~ N(0, I)'));
    const z = canvas.getAttribute('data-z')!.split(',').map(Number);
    expect(z).toHaveLength(2);
    expect(z.some((v) => v !== 0)).toBe(true);
    fireEvent.change(screen.getByLabelText('z1'), { target: { value: '1.5' } });
    expect(canvas.getAttribute('data-z')!.startsWith('1.500,')).toBe(true);
    w.emit({ type: 'error', id: null, message: 'Training diverged: the loss became NaN at step 7.' });
    expect(screen.getByRole('alert').textContent).toMatch(/diverged/);
  });

  it('keeps both sentences when two inputs fail together (a bad ?data= and a bad ?model=), until dismissed', () => {
    const w = fakeWorker();
    render(<App createPort={() => w.port} />);
    w.emit({ type: 'error', id: null, message: 'The model at http://x/m.json could not be read.' });
    w.emit({ type: 'error', id: null, message: 'No dataset found at http://x/d. The built-in MNIST is used instead.' });
    const text = screen.getByRole('alert').textContent ?? '';
    expect(text).toContain('The model at http://x/m.json could not be read.');
    expect(text).toContain('No dataset found at http://x/d. The built-in MNIST is used instead.');
    fireEvent.click(screen.getByLabelText('Dismiss the error'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('reports bad URL values in the error banner', () => {
    const w = fakeWorker();
    render(<App search="?lr=abc" createPort={() => w.port} />);
    expect(screen.getByTestId('error').textContent).toMatch(/Ignored lr=abc/);
  });
});
