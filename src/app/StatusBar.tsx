/**
 * The status line (step, epoch with progress, throughput, backend) and the error banner. The line
 * keeps `role="status"` but is not live (`aria-live="off"`: its numbers change several times a
 * second); changes of state are announced by a visually hidden polite region (status-announcer.ts).
 * Its numbers sit in boxes of reserved width (styles.css), so the header does not re-wrap while
 * training.
 */
import { Fragment } from 'react';
import type { TrainingStatus } from '../worker/protocol';
import { useStatusAnnouncement } from './status-announcer';

/** Props of `StatusBar`. */
export interface StatusBarProps {
  status: TrainingStatus | null;
  /** Pause was pressed and the worker is finishing its step: "pausing" until it says it stopped. */
  pausing?: boolean;
  backend: string | null;
  /** Dataset download, while it runs; `skippable`: the address's dataset, which `onSkipDataset` stops. */
  progress: { fraction: number; message: string; skippable?: boolean } | null;
  /** Stops the address's dataset download; the built-in MNIST is used instead. */
  onSkipDataset?: () => void;
  phase: 'loading' | 'ready' | 'failed';
  /** The current error, if any: a pause it caused is announced as such. */
  error?: string | null;
}

/** `role="status"`: "step N · epoch N [bar] · N examples/s · backend". */
export function StatusBar({ status, pausing = false, backend, progress, phase, error = null, onSkipDataset }: StatusBarProps) {
  const step = status?.step ?? 0;
  const epoch = (status?.epoch ?? 0) + 1;
  const rate = Math.round(status?.examplesPerSecond ?? 0);
  const state = phase === 'loading' ? 'loading data' : phase === 'failed' ? 'stopped' : status?.training ? (pausing ? 'pausing' : 'training') : 'paused';
  const announcement = useStatusAnnouncement({ phase, status, backend, error });
  return (
    <>
      {progress ? (
        <div className="status-download">
          <progress max={1} value={progress.fraction} aria-label="dataset download" />
          <span className="download-message" title={progress.message || undefined}>{progress.message || 'Downloading MNIST'}</span>
          {progress.skippable && onSkipDataset ? (
            <button type="button" className="skip-dataset" data-testid="skip-dataset" onClick={onSkipDataset} title="Stop this download and train on the built-in MNIST">
              Use built-in MNIST
            </button>
          ) : null}
        </div>
      ) : null}
      <div className="status" data-testid="status" role="status" aria-live="off">
        <span className={`status-item state state-${state.replace(' ', '-')}`}>{state}</span>
        <span className="status-item">
          step <span className="num num-step">{step}</span>
        </span>
        <span className="status-item" title="An epoch is one pass over the 60,000 training digits">
          epoch <span className="num num-epoch">{epoch}</span>
          <progress max={1} value={status?.epochProgress ?? 0} aria-label={`progress through epoch ${epoch}`} />
        </span>
        <span className="status-item" title="Training throughput over the last few seconds">
          <span className="num num-rate">{rate}</span> examples/s
        </span>
        <span className="status-item" title="The TensorFlow.js backend training runs on (force one with ?backend=)">
          backend: {backend ?? '…'}
        </span>
      </div>
      <div className="visually-hidden" data-testid="announcer" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
    </>
  );
}

/** `role="alert"`: the current errors in plain words (one a line), with a dismiss button. */
export function ErrorBanner({ message, onDismiss }: { message: string | null; onDismiss: () => void }) {
  if (!message) return null;
  return (
    <div className="error" data-testid="error" role="alert">
      <span>
        {message.split('\n').map((line, i) => (
          <Fragment key={i}>
            {i > 0 ? <br /> : null}
            {line}
          </Fragment>
        ))}
      </span>
      <button type="button" onClick={onDismiss} aria-label="Dismiss the error">
        ×
      </button>
    </div>
  );
}

/**
 * The "Live panels" switch (`live-panels`, `?live=0`): off, the panels hold still while training
 * and the worker spends its time on training alone; they catch up when it is turned on or on Pause.
 */
export function LiveToggle({ live, onChange }: { live: boolean; onChange: (live: boolean) => void }) {
  return (
    <label className="live-toggle" title="Off: the panels hold still while training, so training runs faster; they catch up on Pause">
      <input type="checkbox" data-testid="live-panels" checked={live} onChange={(e) => onChange(e.target.checked)} />
      Live panels{live ? null : <span className="live-note"> (paused while training, for speed)</span>}
    </label>
  );
}
