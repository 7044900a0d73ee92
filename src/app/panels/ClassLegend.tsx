/** The colour key of the latent scatter: one swatch per class, named; a click hides or shows that class. */
import { classColor } from '../draw';
import { classLabel, digitClasses, shortClassLabel } from './class-labels';

/** Props of `ClassLegend`. */
export interface ClassLegendProps {
  count: number;
  /** The dataset's class names (default: the label numbers). */
  names?: readonly string[];
  hidden: ReadonlySet<number>;
  onToggle: (label: number) => void;
}

/** Above this many classes the legend packs its entries in columns (it also scrolls inside the plot, never past it). */
const COMPACT_ABOVE = 12;

/** A vertical legend placed at the right edge of the plot, kept inside it (compact and scrolling for many classes). */
export function ClassLegend({ count, names, hidden, onToggle }: ClassLegendProps) {
  const compact = count > COMPACT_ABOVE;
  const digits = digitClasses(names, count);
  return (
    <div className={compact ? 'class-legend compact' : 'class-legend'} role="group" aria-label={`${digits ? 'Digit classes' : `${count} classes`} (click to hide or show)`}>
      <div className="class-legend-title">{digits ? 'digit' : 'class'}</div>
      {Array.from({ length: count }, (_, c) => (
        <button
          key={c}
          type="button"
          className={hidden.has(c) ? 'off' : ''}
          aria-pressed={!hidden.has(c)}
          title={`${hidden.has(c) ? 'Show' : 'Hide'} the test images of ${digits ? 'digit ' : ''}${classLabel(names, c)}`}
          onClick={() => onToggle(c)}
        >
          <span className="swatch" style={{ background: classColor(c, count) }} />
          {compact ? shortClassLabel(names, c) : classLabel(names, c)}
        </button>
      ))}
    </div>
  );
}
