/** Asks before a change discards trained weights. */
import { useEffect, useRef, type KeyboardEvent as ReactKeyboardEvent } from 'react';

/** Props of `ConfirmDialog`. */
export interface ConfirmDialogProps {
  /** What will happen, in plain words (it may change while the dialog is open, e.g. a live step count). */
  message: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A small modal box (role alertdialog) with a cancel and a confirm button. It opens with focus on
 * the safe answer (cancel), keeps Tab inside itself, answers Escape with cancel, and gives focus
 * back to where it was when it closes. The keystroke that opened it must not answer it: a field that
 * opens it on Enter prevents that keydown's default (see CommitField).
 */
export function ConfirmDialog({ message, confirmLabel, onConfirm, onCancel }: ConfirmDialogProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const onCancelRef = useRef(onCancel);
  onCancelRef.current = onCancel;

  // Focus moves in once, when the dialog opens (not on every re-render of a live message).
  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    cancelRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onCancelRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      if (before?.isConnected && !before.hasAttribute('disabled')) before.focus();
    };
  }, []);

  const trapTab = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'Tab') return;
    const buttons = [...(boxRef.current?.querySelectorAll('button') ?? [])];
    if (buttons.length === 0) return;
    const first = buttons[0];
    const last = buttons[buttons.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    <div className="dialog-backdrop">
      <div ref={boxRef} className="dialog" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-text" onKeyDown={trapTab}>
        <h2 id="confirm-title">Discard the trained weights?</h2>
        <p id="confirm-text">{message}</p>
        <div className="dialog-buttons">
          <button ref={cancelRef} type="button" onClick={onCancel}>
            Keep training this model
          </button>
          <button type="button" className="danger" onClick={onConfirm}>
            {confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
