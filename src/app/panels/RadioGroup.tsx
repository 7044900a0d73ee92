/**
 * A row of mutually exclusive buttons as one radio group (WAI-ARIA radio group pattern): one Tab
 * stop, the checked button; arrow keys move to the next or previous option and choose it, Home and
 * End to the first and last.
 */
import { useRef } from 'react';

/** One option of a `RadioGroup`. */
export interface RadioOption<T extends string> {
  value: T;
  label: string;
  title?: string;
}

/** Props of `RadioGroup`. */
export interface RadioGroupProps<T extends string> {
  label: string;
  options: readonly RadioOption<T>[];
  value: T;
  onChange: (value: T) => void;
  className?: string;
}

/** The option `key` moves to from index `at` of `count`, or -1 for a key the group ignores. */
export function radioTarget(key: string, at: number, count: number): number {
  if (key === 'ArrowRight' || key === 'ArrowDown') return (at + 1) % count;
  if (key === 'ArrowLeft' || key === 'ArrowUp') return (at - 1 + count) % count;
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  return -1;
}

/** A segmented radio group, `role="radiogroup"` of `role="radio"` buttons. */
export function RadioGroup<T extends string>({ label, options, value, onChange, className = 'segmented' }: RadioGroupProps<T>) {
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const onKeyDown = (e: React.KeyboardEvent<HTMLDivElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const at = Math.max(0, options.findIndex((o) => o.value === value));
    const next = radioTarget(e.key, at, options.length);
    if (next < 0) return;
    e.preventDefault();
    onChange(options[next].value);
    buttons.current[next]?.focus();
  };
  return (
    <div className={className} role="radiogroup" aria-label={label} onKeyDown={onKeyDown}>
      {options.map((o, k) => (
        <button
          key={o.value}
          ref={(el) => {
            buttons.current[k] = el;
          }}
          type="button"
          role="radio"
          aria-checked={o.value === value}
          tabIndex={o.value === value ? 0 : -1}
          className={o.value === value ? 'on' : ''}
          onClick={() => onChange(o.value)}
          title={o.title}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
