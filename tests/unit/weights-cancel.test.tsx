// @vitest-environment happy-dom
/**
 * A load in progress, as a person sees it: the weights panel shows its progress and a Cancel button;
 * the address's `?model=` loads after the bundled model opens (never before it), and a failure or a
 * Cancel leaves the bundled model and every control as they were.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryModelStore } from '../../src/app/weights/model-store';
import { WeightsPanel } from '../../src/app/weights/WeightsPanel';
import { makeConfig } from '../../src/core/model/config';
import { fakeWorker, modelInfo, ready } from './support/fake-worker';

vi.mock('../../src/app/Plot', () => ({
  Plot: ({ testId, ariaLabel }: { testId?: string; ariaLabel?: string }) => <div data-testid={testId} aria-label={ariaLabel} />,
}));
const { App } = await import('../../src/app/App');

afterEach(cleanup);

const info = modelInfo;

const disabled = (testId: string) => (screen.getByTestId(testId) as HTMLButtonElement | HTMLInputElement).disabled;

describe('WeightsPanel while a load runs', () => {
  it('shows the progress and Cancel; opening another model waits, saving does not; Cancel asks once and says so', () => {
    const training = {
      model: info(),
      status: null,
      phase: 'ready' as const,
      loadProgress: 0.3,
      load: vi.fn(async () => null),
      cancelLoad: vi.fn(),
      save: vi.fn(async () => null),
      showError: vi.fn(),
    };
    const { rerender } = render(<WeightsPanel training={training} config={() => makeConfig()} store={memoryModelStore()} />);
    expect((screen.getByLabelText('weights download') as HTMLProgressElement).value).toBe(0.3);
    expect(disabled('load-weights')).toBe(true);
    expect(disabled('weights-files')).toBe(true);
    expect(disabled('save-weights')).toBe(false);
    fireEvent.click(screen.getByTestId('cancel-load'));
    expect(training.cancelLoad).toHaveBeenCalledTimes(1);
    expect(screen.getByText('Loading was cancelled; the current model stays.')).toBeTruthy();
    rerender(<WeightsPanel training={{ ...training, loadProgress: null }} config={() => makeConfig()} store={memoryModelStore()} />);
    expect(screen.queryByTestId('cancel-load')).toBeNull();
    expect(screen.queryByLabelText('weights download')).toBeNull();
    expect(disabled('load-weights')).toBe(false);
  });
});

describe("the address's ?model=", () => {
  const search = '?model=http://stalls.example/vae.json';

  it('opens the bundled model first and loads the address model after it, in the background with Cancel', async () => {
    const w = fakeWorker();
    render(<App search={search} createPort={() => w.port} />);
    const init = w.last('init')!;
    expect(init.models).toEqual([{ kind: 'url', url: expect.stringMatching(/\/models\/mnist-2d\/vae\.json$/), label: 'the bundled model' }]);
    const load = w.last('load')!;
    expect(load).toMatchObject({ source: { kind: 'url', url: 'http://stalls.example/vae.json' }, generation: 2, keepAs: 'trained-here' }); // a model trained meanwhile comes back saved
    expect(w.sent.indexOf(init)).toBeLessThan(w.sent.indexOf(load));
    expect(screen.getByTestId('cancel-load')).toBeTruthy();

    w.emit({ type: 'model', id: null, info: info() });
    ready(w);
    expect(screen.getByTestId('model-info').textContent).toMatch(/the bundled model/);
    expect(disabled('train-toggle')).toBe(false);
    expect(disabled('save-weights')).toBe(false);
    expect(disabled('load-weights')).toBe(true); // one load at a time: Cancel first

    fireEvent.click(screen.getByTestId('cancel-load'));
    expect(w.last('cancel-load')).toBeTruthy();
    w.emit({ type: 'done', id: w.last('cancel-load')!.id });
    w.emit({ type: 'done', id: load.id }); // the worker's answer to a cancelled load
    await waitFor(() => expect(screen.queryByTestId('cancel-load')).toBeNull());
    expect(disabled('load-weights')).toBe(false);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByTestId('model-info').textContent).toMatch(/the bundled model/);
  });

  it('a failed address model: one plain sentence, the bundled model and every control stay', async () => {
    const w = fakeWorker();
    render(<App search={search} createPort={() => w.port} />);
    w.emit({ type: 'model', id: null, info: info() });
    ready(w);
    const message = 'The server at http://stalls.example/vae.json sent nothing for 15 s; the download was stopped.';
    w.emit({ type: 'error', id: w.last('load')!.id, message });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain(message));
    await waitFor(() => expect(screen.queryByTestId('cancel-load')).toBeNull()); // the load has settled
    expect(screen.getByTestId('model-info').textContent).toMatch(/the bundled model/);
    for (const id of ['train-toggle', 'reset-button', 'load-weights', 'save-weights', 'weights-files']) expect(disabled(id)).toBe(false);
  });

  it('the address model replaces the bundled one when it is complete', async () => {
    const w = fakeWorker();
    render(<App search={search} createPort={() => w.port} />);
    w.emit({ type: 'model', id: null, info: info() });
    ready(w);
    w.emit({ type: 'model', id: w.last('load')!.id, info: info({ generation: 2, origin: 'http://stalls.example/vae.json', url: 'http://stalls.example/vae.json' }) });
    await waitFor(() => expect(screen.getByTestId('model-info').textContent).toMatch(/http:\/\/stalls\.example\/vae\.json/));
    await waitFor(() => expect(screen.queryByTestId('cancel-load')).toBeNull());
  });
});
