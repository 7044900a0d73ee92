/** Asks before a change discards trained weights. */
import { useEffect, useRef } from 'react';

/** Props of `ConfirmDialog`. */
export interface ConfirmDialogProps {
  /** What will happen, in plain words. */
  message: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}

/** A small modal-like box (role alertdialog) with a confirm and a cancel button; Escape cancels. */
export function ConfirmDialog({ message, confirmLabel, onConfirm, onCancel }: ConfirmDialogProps) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    cancelRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onCancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCancel]);
  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-text">
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
