/** The card shown when hovering a test image in the latent scatter: its image, class name, index and σ. */
import { useEffect, useRef } from 'react';
import { drawDigit } from '../draw';
import type { TestSet } from '../hooks/useTraining';
import { classLabel, digitClasses } from './class-labels';

/** What is hovered, and where (pixels in the plot box). */
export interface HoverInfo {
  index: number;
  x: number;
  y: number;
  /** Posterior standard deviations along the two view axes. */
  sigma: [number, number] | null;
}

/** A small card with the test digit, placed beside the hovered point. */
export function HoverCard({ info, testSet, boxWidth }: { info: HoverInfo; testSet: TestSet; boxWidth: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { side } = testSet;
  useEffect(() => {
    if (canvas.current) drawDigit(canvas.current, testSet.images, side, true, info.index * side * side);
  }, [info.index, testSet, side]);
  const label = testSet.labels[info.index];
  // "digit 3" for digits; else the class's name ("Sneaker", "class 12").
  const title = `${digitClasses(testSet.classNames, label + 1) ? 'digit ' : ''}${classLabel(testSet.classNames, label)}`;
  const flip = info.x > boxWidth - 230; // keep clear of the class legend on the right
  const style = { left: flip ? info.x - 158 : info.x + 14, top: Math.max(4, info.y - 40) };
  return (
    <div className="hover-card" style={style} aria-hidden="true">
      <canvas ref={canvas} width={side} height={side} className="digit-thumb" />
      <div>
        <div className="hover-title">{title}</div>
        <div>test #{info.index}</div>
        {info.sigma ? (
          <div title="Posterior standard deviation of q(z|x) along the two axes">
            σ = {info.sigma[0].toFixed(2)}, {info.sigma[1].toFixed(2)}
          </div>
        ) : null}
      </div>
    </div>
  );
}
