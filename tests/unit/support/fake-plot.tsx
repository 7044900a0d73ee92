/**
 * A stand-in for the Plotly wrapper (src/app/Plot.tsx) in component tests: the element with the props
 * Plot gives it (role, tabIndex, ARIA, keys) and the axis mapping of a drawn plot. The plot area starts
 * 10 px in; data = pixel / 50 - 2 across, 2 - pixel / 50 down (so ±2 over 200 px).
 *   vi.mock('../../src/app/Plot', () => import('./support/fake-plot'));
 */
import { useEffect, useRef, type KeyboardEventHandler } from 'react';
import type { PlotElement } from '../../../src/app/Plot';

/** The props of Plot this stand-in honours. */
export interface FakePlotProps {
  testId?: string;
  role?: string;
  tabIndex?: number;
  ariaLabel?: string;
  ariaDescribedBy?: string;
  onKeyDown?: KeyboardEventHandler<HTMLDivElement>;
  onInit?: (el: PlotElement) => void;
}

/** A div with a drawn plot's layout, handed to `onInit` as Plot does. */
export function Plot(props: FakePlotProps) {
  const ref = useRef<HTMLDivElement>(null);
  const { onInit } = props;
  useEffect(() => {
    const el = ref.current as unknown as PlotElement;
    el._fullLayout = {
      xaxis: { p2d: (px) => px / 50 - 2, d2p: (u) => (u + 2) * 50, range: [-2, 2] },
      yaxis: { p2d: (px) => 2 - px / 50, d2p: (v) => (2 - v) * 50, range: [-2, 2] },
      _size: { l: 10, t: 10, w: 200, h: 200 },
      dragmode: false,
      width: 220,
      height: 220,
    };
    (el as unknown as { on: () => void }).on = () => undefined;
    onInit?.(el);
  }, [onInit]);
  return <div ref={ref} data-testid={props.testId} role={props.role} tabIndex={props.tabIndex} aria-label={props.ariaLabel} aria-describedby={props.ariaDescribedBy} onKeyDown={props.onKeyDown} />;
}
