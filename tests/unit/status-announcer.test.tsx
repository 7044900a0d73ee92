// @vitest-environment happy-dom
/**
 * The status line is seen, not heard step by step: it keeps `role="status"` (DESIGN.md §2) with
 * aria-live off, and a separate polite region says only changes of state.
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { statusAnnouncement, type StatusSnapshot } from '../../src/app/status-announcer';
import { StatusBar } from '../../src/app/StatusBar';
import type { TrainingStatus } from '../../src/worker/protocol';

afterEach(cleanup);

const status = (patch: Partial<TrainingStatus> = {}): TrainingStatus => ({ generation: 1, training: false, step: 0, epoch: 0, epochProgress: 0, stepsPerEpoch: 469, examplesPerSecond: 0, ...patch });
const ready = (s: TrainingStatus | null, error: string | null = null): StatusSnapshot => ({ phase: 'ready', status: s, backend: 'wasm', error });

describe('statusAnnouncement', () => {
  it('says ready, started, epoch done and paused, and nothing for a step or a new throughput', () => {
    expect(statusAnnouncement({ phase: 'loading', status: null, backend: null, error: null }, ready(status()))).toBe('Ready to train on wasm.');
    expect(statusAnnouncement(ready(status()), ready(status({ training: true })))).toBe('Training started at step 0.');
    expect(statusAnnouncement(ready(status({ training: true, step: 10 })), ready(status({ training: true, step: 11, examplesPerSecond: 9000, epochProgress: 0.02 })))).toBeNull();
    expect(statusAnnouncement(ready(status({ training: true, step: 468 })), ready(status({ training: true, step: 469, epoch: 1 })))).toBe('Epoch 1 done, at step 469.');
    expect(statusAnnouncement(ready(status({ training: true, step: 500, epoch: 1 })), ready(status({ step: 500, epoch: 1 })))).toBe('Training paused at step 500, epoch 2.');
  });

  it('says when an error stopped training, and when the app could not start', () => {
    const before = ready(status({ training: true, step: 30 }));
    expect(statusAnnouncement(before, ready(status({ step: 30 }), 'Training diverged.'))).toBe('Training stopped by an error at step 30.');
    expect(statusAnnouncement({ phase: 'loading', status: null, backend: null, error: null }, { phase: 'failed', status: null, backend: null, error: 'no data' })).toMatch(/^Stopped/);
  });

  it('says when new weights are in place, and not a rollback as an epoch', () => {
    expect(statusAnnouncement(ready(status({ step: 300 })), ready(status({ generation: 2 })))).toBe('New weights in place, at step 0.');
    expect(statusAnnouncement(ready(status({ training: true, step: 480, epoch: 1 })), ready(status({ training: true, step: 470, epoch: 1 })))).toBeNull();
  });
});

describe('StatusBar as a screen reader meets it', () => {
  it('keeps one role="status" element, not live, and announces state changes in a polite region', () => {
    const { rerender } = render(<StatusBar phase="loading" backend={null} status={null} progress={null} />);
    const line = screen.getByRole('status');
    expect(line.getAttribute('data-testid')).toBe('status');
    expect(line.getAttribute('aria-live')).toBe('off');
    const announcer = screen.getByTestId('announcer');
    expect(announcer.getAttribute('aria-live')).toBe('polite');
    expect(announcer.getAttribute('role')).toBeNull(); // so getByRole('status') stays the status line
    expect(line.contains(announcer)).toBe(false);

    rerender(<StatusBar phase="ready" backend="wasm" status={status()} progress={null} />);
    expect(announcer.textContent?.trim()).toBe('Ready to train on wasm.');
    rerender(<StatusBar phase="ready" backend="wasm" status={status({ training: true, step: 1 })} progress={null} />);
    expect(announcer.textContent?.trim()).toBe('Training started at step 1.');
    const said = announcer.textContent;
    for (let step = 2; step < 20; step++) {
      rerender(<StatusBar phase="ready" backend="wasm" status={status({ training: true, step, examplesPerSecond: 100 * step })} progress={null} />);
    }
    expect(announcer.textContent).toBe(said); // steps and throughput are not announced
    expect(screen.getByRole('status').textContent).toMatch(/step 19.*1900 examples\/s/s);

    // The same sentence twice in a row (Reset pressed twice) is a new text each time, so it is heard twice.
    rerender(<StatusBar phase="ready" backend="wasm" status={status({ generation: 2 })} progress={null} />);
    const first = announcer.textContent;
    expect(first?.trim()).toBe('New weights in place, at step 0.');
    rerender(<StatusBar phase="ready" backend="wasm" status={status({ generation: 3 })} progress={null} />);
    expect(announcer.textContent?.trim()).toBe(first?.trim());
    expect(announcer.textContent).not.toBe(first);
  });
});
