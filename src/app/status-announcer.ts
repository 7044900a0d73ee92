/**
 * What the status line says to a screen reader: changes of state (ready, training started, paused,
 * an epoch done, stopped by an error, new weights), never the step counter or the throughput, which
 * change several times a second. The visible status line is `aria-live="off"`; these sentences go
 * to a visually hidden polite live region beside it.
 */
import { useEffect, useRef, useState } from 'react';
import type { TrainingStatus } from '../worker/protocol';

/** What the announcements are computed from. */
export interface StatusSnapshot {
  phase: 'loading' | 'ready' | 'failed';
  status: TrainingStatus | null;
  backend: string | null;
  /** The error banner's message, if any (the banner announces the message itself, as an alert). */
  error: string | null;
}

/** The sentence for a change from `prev` to `next`, or null when nothing worth saying changed. */
export function statusAnnouncement(prev: StatusSnapshot, next: StatusSnapshot): string | null {
  if (next.phase !== prev.phase) {
    if (next.phase === 'ready') return `Ready to train${next.backend ? ` on ${next.backend}` : ''}.`;
    if (next.phase === 'failed') return 'Stopped: the app could not start. The error above says why.';
    return null;
  }
  const a = prev.status;
  const b = next.status;
  if (!b) return null;
  if (a && b.generation !== a.generation) return b.training ? 'New weights in place; training goes on.' : 'New weights in place, at step 0.';
  const was = a?.training ?? false;
  if (b.training && !was) return `Training started at step ${b.step}.`;
  if (!b.training && was) {
    return next.error && next.error !== prev.error ? `Training stopped by an error at step ${b.step}.` : `Training paused at step ${b.step}, epoch ${b.epoch + 1}.`;
  }
  if (a && b.epoch > a.epoch && b.step >= a.step) return `Epoch ${b.epoch} done, at step ${b.step}.`;
  return null;
}

/**
 * The latest announcement for the live region. Each new one differs from the last in its DOM text
 * (a trailing no-break space alternates), so saying the same sentence twice is heard twice.
 */
export function useStatusAnnouncement(snapshot: StatusSnapshot): string {
  const previous = useRef(snapshot);
  const [said, setSaid] = useState({ text: '', count: 0 });
  const { phase, status, backend, error } = snapshot;
  useEffect(() => {
    const next = { phase, status, backend, error };
    const text = statusAnnouncement(previous.current, next);
    previous.current = next;
    if (text) setSaid((s) => ({ text, count: s.count + 1 }));
  }, [phase, status, backend, error]);
  return said.text ? `${said.text}${said.count % 2 === 0 ? '\u00a0' : ''}` : '';
}
