/**
 * A conditional VAE's class controls (issue 12.1): the picker of the class that the decoded digit,
 * the manifold and Sample use (`decode-class`), and the row of the current z decoded under every
 * class (`class-row`), decoded in the worker whenever z moves (a new request waits for the one in flight).
 */
import { useEffect, useRef, useState } from 'react';
import { drawDigit } from '../draw';
import { useStore, type LatentPoint, type Store } from '../state/store';
import { classLabel, digitClasses, shortClassLabel } from './class-labels';

/** What the class controls need from the app. */
export interface ClassControlsProps {
  /** Number of classes of the model. */
  classes: number;
  /** The class the decodings use now. */
  decodeClass: number;
  /** Chooses the decoding class; resolves once the worker uses it. */
  onClass(label: number): Promise<void>;
  /** The current z decoded under every class: pixels [classes, D], or null when stale or failed. */
  decodeClasses(z: number[]): Promise<Float32Array | null>;
  point: Store<LatentPoint>;
  /** Image side in pixels. */
  side: number;
  /** The dataset's class names (default: the label numbers); used when there are as many as the model's classes. */
  names?: readonly string[];
  /** Changes whenever the model's weights do (the app passes its latest manifold): the row is decoded again. */
  refreshKey?: unknown;
}

/** A tile's caption stays as wide as its image (a long name is cut, and whole in the tile's tooltip). */
const CAPTION = { maxWidth: 34, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' } as const;

/** Up to this many classes the row wraps; beyond (EMNIST's 26 to 62) it keeps one line that scrolls sideways, so it never covers the panel. */
const ONE_LINE_UP_TO = 12;
const ONE_SCROLLING_LINE = { flexWrap: 'nowrap', overflowX: 'auto', paddingBottom: 2 } as const;

/** The class picker and the class row. */
export function ClassControls({ classes, decodeClass, onClass, decodeClasses, point, side, names, refreshKey }: ClassControlsProps) {
  // A model made for another number of classes than the dataset has keeps its label numbers.
  const shown = names && names.length === classes ? names : undefined;
  const noun = digitClasses(shown, classes) ? 'digit' : 'image';
  const current = useStore(point);
  const canvases = useRef<(HTMLCanvasElement | null)[]>([]);
  const [busy, setBusy] = useState(false);
  const request = useRef<{ inFlight: boolean; pending: number[] | null }>({ inFlight: false, pending: null });

  useEffect(() => {
    const r = request.current;
    const run = (z: number[]) => {
      r.inFlight = true;
      void decodeClasses(z)
        .then((pixels) => {
          if (!pixels) return;
          const size = side * side;
          canvases.current.forEach((canvas, c) => canvas && drawDigit(canvas, pixels.subarray(c * size, (c + 1) * size), side));
        })
        .finally(() => {
          r.inFlight = false;
          const next = r.pending;
          r.pending = null;
          if (next) run(next);
        });
    };
    if (r.inFlight) r.pending = current.z;
    else run(current.z);
  }, [current.z, decodeClasses, side, classes, refreshKey]);

  return (
    <div className="class-controls">
      <label className="class-picker" title={`A conditional VAE decodes z under a class: the decoded ${noun}, the manifold and Sample use this one`}>
        Decode as class{' '}
        <select
          data-testid="decode-class"
          value={decodeClass}
          disabled={busy}
          onChange={(e) => {
            setBusy(true);
            void onClass(Number(e.target.value)).finally(() => setBusy(false));
          }}
        >
          {Array.from({ length: classes }, (_, c) => (
            <option key={c} value={c}>
              {classLabel(shown, c)}
            </option>
          ))}
        </select>
      </label>
      <div className="class-row" data-testid="class-row" role="group" aria-label="The current z decoded under every class" style={classes > ONE_LINE_UP_TO ? ONE_SCROLLING_LINE : undefined}>
        {Array.from({ length: classes }, (_, c) => (
          <figure key={c} className={c === decodeClass ? 'class-cell chosen' : 'class-cell'} title={classLabel(shown, c)}>
            <canvas ref={(el) => void (canvases.current[c] = el)} width={side} height={side} role="img" aria-label={`z decoded as class ${classLabel(shown, c)}`} />
            <figcaption style={CAPTION}>{shortClassLabel(shown, c)}</figcaption>
          </figure>
        ))}
      </div>
    </div>
  );
}
