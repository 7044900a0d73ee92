/** The colour key of the latent scatter: one swatch per digit class; a click hides or shows that class. */
import { classColor } from '../draw';

/** Props of `ClassLegend`. */
export interface ClassLegendProps {
  count: number;
  hidden: ReadonlySet<number>;
  onToggle: (digit: number) => void;
}

/** Above this many classes the legend packs its entries in columns (it also scrolls inside the plot, never past it). */
const COMPACT_ABOVE = 12;

/** A vertical legend placed at the right edge of the plot, kept inside it (compact and scrolling for many classes). */
export function ClassLegend({ count, hidden, onToggle }: ClassLegendProps) {
  const compact = count > COMPACT_ABOVE;
  return (
    <div className={compact ? 'class-legend compact' : 'class-legend'} role="group" aria-label={`${count <= 10 ? 'Digit classes' : `${count} classes`} (click to hide or show)`}>
      <div className="class-legend-title">{count <= 10 ? 'digit' : 'class'}</div>
      {Array.from({ length: count }, (_, c) => (
        <button
          key={c}
          type="button"
          className={hidden.has(c) ? 'off' : ''}
          aria-pressed={!hidden.has(c)}
          title={`${hidden.has(c) ? 'Show' : 'Hide'} the test images labelled ${c}`}
          onClick={() => onToggle(c)}
        >
          <span className="swatch" style={{ background: classColor(c, count) }} />
          {c}
        </button>
      ))}
    </div>
  );
}
