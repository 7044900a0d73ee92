// @vitest-environment happy-dom
/**
 * The "Live panels" switch (`live-panels`, `?live=0`): off, the worker is told to stop the displays
 * while training (`displays` request) and the loss chart holds still; the address keeps it; on again,
 * the chart catches up. No steps are lost either way.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeWorker, ready, status } from './support/fake-worker';

// The loss chart's stand-in shows how many points it was given.
vi.mock('../../src/app/Plot', () => ({
  Plot: ({ testId, data }: { testId?: string; data?: { x?: ArrayLike<number> }[] }) => <div data-testid={testId} data-points={data?.[0]?.x?.length ?? 0} />,
}));

const { App } = await import('../../src/app/App');

afterEach(cleanup);

const metrics = (from: number, to: number) => ({
  type: 'metrics' as const,
  generation: 1,
  metrics: Array.from({ length: to - from }, (_, i) => ({ step: from + i, epoch: 0, total: 150, reconstruction: 140, kl: 10, klWeight: 1 })),
});

describe('Live panels', () => {
  it('off: the worker stops the displays, the loss chart holds still and the address says live=0; on: both resume', async () => {
    const w = fakeWorker();
    const replace = vi.spyOn(window.history, 'replaceState');
    render(<App search="" createPort={() => w.port} />);
    ready(w);
    expect(w.last('displays')).toMatchObject({ live: true });
    const box = screen.getByTestId('live-panels') as HTMLInputElement;
    expect(box.checked).toBe(true);
    w.emit(status({ training: true, step: 20 }));
    w.emit(metrics(0, 20));
    await vi.waitFor(() => expect(screen.getByTestId('loss-chart').dataset.points).toBe('20'));

    fireEvent.click(box);
    expect(w.last('displays')).toMatchObject({ live: false });
    expect(String(replace.mock.calls.at(-1)?.[2])).toContain('live=0');
    expect(screen.getByText(/paused while training/)).toBeTruthy();
    w.emit(metrics(20, 60));
    w.emit(status({ training: true, step: 60 }));
    await new Promise((r) => setTimeout(r, 600)); // past the chart's refresh interval: nothing redraws
    expect(screen.getByTestId('loss-chart').dataset.points).toBe('20');
    expect(screen.getByTestId('status').textContent).toMatch(/step\s*60/);

    fireEvent.click(box);
    expect(w.last('displays')).toMatchObject({ live: true });
    expect(String(replace.mock.calls.at(-1)?.[2])).not.toContain('live=');
    await vi.waitFor(() => expect(screen.getByTestId('loss-chart').dataset.points).toBe('60'));
  });

  it('?live=0 in the address starts with the panels paused', () => {
    const w = fakeWorker();
    render(<App search="?live=0" createPort={() => w.port} />);
    ready(w);
    expect((screen.getByTestId('live-panels') as HTMLInputElement).checked).toBe(false);
    expect(w.last('displays')).toMatchObject({ live: false });
  });
});
