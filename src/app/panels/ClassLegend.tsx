/** The colour key of the latent scatter: one swatch per digit class; a click hides or shows that class. */
import { CLASS_COLORS } from '../draw';

/** Props of `ClassLegend`. */
export interface ClassLegendProps {
  count: number;
  hidden: ReadonlySet<number>;
  onToggle: (digit: number) => void;
}

/** A vertical legend placed at the right edge of the plot. */
export function ClassLegend({ count, hidden, onToggle }: ClassLegendProps) {
  return (
    <div className="class-legend" role="group" aria-label="Digit classes (click to hide or show)">
      <div className="class-legend-title">digit</div>
      {Array.from({ length: count }, (_, c) => (
        <button
          key={c}
          type="button"
          className={hidden.has(c) ? 'off' : ''}
          aria-pressed={!hidden.has(c)}
          title={`${hidden.has(c) ? 'Show' : 'Hide'} the test digits labelled ${c}`}
          onClick={() => onToggle(c)}
        >
          <span className="swatch" style={{ background: CLASS_COLORS[c % CLASS_COLORS.length] }} />
          {c}
        </button>
      ))}
    </div>
  );
}
