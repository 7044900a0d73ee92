/** Labelled form fields with a tooltip; text and number fields commit on Enter or when focus leaves. */
import { useEffect, useId, useState, type ReactNode } from 'react';

/** Props shared by every field. */
interface FieldProps {
  label: string;
  /** Short explanation in VAE terms (the tooltip). */
  tip: string;
  disabled?: boolean;
  /** A note shown under the field. */
  hint?: ReactNode;
}

/** A label, a control and an optional hint, laid out in one row. */
function FieldRow({ id, label, tip, hint, children }: { id: string; label: string; tip: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className="field" title={tip}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? <div className="hint">{hint}</div> : null}
    </div>
  );
}

/** A text or number input that commits its draft on Enter/blur; Escape restores the current value. */
export function CommitField(props: FieldProps & { value: string; onCommit: (text: string) => void; type?: 'text' | 'number'; step?: string; min?: number; max?: number; inputMode?: 'decimal' | 'numeric' | 'text'; testId?: string }) {
  const { label, tip, hint, disabled, value, onCommit, type = 'text', step, min, max, inputMode, testId } = props;
  const id = useId();
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const commit = () => {
    if (draft.trim() !== value) onCommit(draft.trim());
    setDraft(value);
  };
  return (
    <FieldRow id={id} label={label} tip={tip} hint={hint}>
      <input
        id={id}
        type={type}
        value={draft}
        step={step}
        min={min}
        max={max}
        inputMode={inputMode}
        disabled={disabled}
        title={tip}
        data-testid={testId}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            // Consumed here: a confirmation this commit opens takes focus, and the same keystroke
            // must not go on to press the button focused there.
            e.preventDefault();
            commit();
          }
          if (e.key === 'Escape') setDraft(value);
        }}
      />
    </FieldRow>
  );
}

/** A select that commits at once. */
export function SelectField<T extends string>(props: FieldProps & { value: T; options: { value: T; label: string }[]; onChange: (value: T) => void; testId?: string }) {
  const { label, tip, hint, disabled, value, options, onChange, testId } = props;
  const id = useId();
  return (
    <FieldRow id={id} label={label} tip={tip} hint={hint}>
      <select id={id} value={value} disabled={disabled} title={tip} data-testid={testId} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldRow>
  );
}

/** A checkbox that commits at once (a flag of the settings table). */
export function CheckField(props: FieldProps & { checked: boolean; onChange: (checked: boolean) => void; testId?: string }) {
  const { label, tip, hint, disabled, checked, onChange, testId } = props;
  const id = useId();
  return (
    <FieldRow id={id} label={label} tip={tip} hint={hint}>
      <input id={id} type="checkbox" className="check" checked={checked} disabled={disabled} title={tip} data-testid={testId} onChange={(e) => onChange(e.target.checked)} style={CHECK} />
    </FieldRow>
  );
}

/** A checkbox keeps its own size at the start of the control column (the column's inputs are 100% wide). */
const CHECK = { width: 'auto', height: 'auto', justifySelf: 'start', margin: 0 } as const;
