// @vitest-environment happy-dom
/** The latent scatter's class key for datasets beyond ten digits (EMNIST: 47 or 62 classes). */
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CLASS_COLORS, classColor } from '../../src/app/draw';
import { ClassLegend } from '../../src/app/panels/ClassLegend';
import { HoverCard } from '../../src/app/panels/HoverCard';
import { splitByClass } from '../../src/app/panels/latent-traces';
import { axisPlane } from '../../src/core/latent/plane';
import { classNamesFor } from '../../src/core/data/class-names';

afterEach(cleanup);

describe('class colours', () => {
  it('ten digits keep the ten-colour palette', () => {
    expect(Array.from({ length: 10 }, (_, c) => classColor(c, 10))).toEqual(CLASS_COLORS);
  });

  it.each([11, 26, 47, 62])('%i classes get as many different colours, neighbours apart', (count) => {
    const colours = Array.from({ length: count }, (_, c) => classColor(c, count));
    expect(new Set(colours).size).toBe(count);
    const hue = (c: number) => Number(/hsl\((\d+)/.exec(colours[c])![1]);
    for (let c = 1; c < count; c++) {
      const d = Math.abs(hue(c) - hue(c - 1));
      expect(Math.min(d, 360 - d)).toBeGreaterThanOrEqual(20);
    }
  });
});

describe('ClassLegend', () => {
  it('ten digits: a plain column headed "digit"', () => {
    const { container } = render(<ClassLegend count={10} hidden={new Set()} onToggle={() => undefined} />);
    const legend = container.querySelector('.class-legend')!;
    expect(legend.classList.contains('compact')).toBe(false);
    expect(legend.textContent).toMatch(/^digit/);
    expect(legend.querySelectorAll('button')).toHaveLength(10);
  });

  it('47 classes: a compact key headed "class", one button per class', () => {
    const { container } = render(<ClassLegend count={47} hidden={new Set([3])} onToggle={() => undefined} />);
    const legend = container.querySelector('.class-legend')!;
    expect(legend.classList.contains('compact')).toBe(true);
    expect(legend.textContent).toMatch(/^class/);
    const buttons = legend.querySelectorAll('button');
    expect(buttons).toHaveLength(47);
    expect(buttons[3].getAttribute('aria-pressed')).toBe('false');
    expect(legend.getAttribute('aria-label')).toMatch(/47 classes/);
  });

  it("Fashion-MNIST: a column of its names headed \"class\", each button saying what it hides", () => {
    const names = classNamesFor('fashion', 10);
    const { container } = render(<ClassLegend count={10} names={names} hidden={new Set()} onToggle={() => undefined} />);
    const legend = container.querySelector('.class-legend')!;
    expect(legend.querySelector('.class-legend-title')!.textContent).toBe('class');
    const buttons = [...legend.querySelectorAll('button')];
    expect(buttons.map((b) => b.textContent)).toEqual(names);
    expect(buttons[7].title).toBe('Hide the test images of Sneaker');
  });

  it('generic names are packed as their numbers in a compact key; MNIST keeps "digit"', () => {
    const { container } = render(<ClassLegend count={26} names={classNamesFor('my-data', 26)} hidden={new Set()} onToggle={() => undefined} />);
    expect(container.querySelectorAll('button')[12].textContent).toBe('12');
    expect(container.querySelectorAll('button')[12].title).toBe('Hide the test images of class 12');
    cleanup();
    const mnist = render(<ClassLegend count={10} names={classNamesFor('mnist', 10)} hidden={new Set()} onToggle={() => undefined} />);
    expect(mnist.container.querySelector('.class-legend-title')!.textContent).toBe('digit');
    expect(mnist.container.querySelectorAll('button')[3].title).toBe('Hide the test images of digit 3');
  });
});

describe('the scatter and the hover card name the classes', () => {
  const testSet = (classNames?: readonly string[]) => ({ labels: Uint8Array.of(0, 9, 3), images: new Uint8Array(3 * 4), side: 2, count: 3, classNames });
  const latents = { step: 0, count: 3, latentDim: 2, means: Float32Array.of(0, 0, 1, 1, -1, 2), logVars: new Float32Array(6) };
  const view = { plane: axisPlane(2, 0, 1), axisNames: ['z1', 'z2'] } as never;

  it('one trace per class, named by the dataset', () => {
    const split = splitByClass(latents, testSet(classNamesFor('fashion', 10)), view);
    expect(split.traces.map((t) => t.name)).toEqual(classNamesFor('fashion', 10));
    expect(split.names).toEqual(classNamesFor('fashion', 10));
    expect(splitByClass(latents, testSet(), view).traces.map((t) => t.name)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('the hover card says "Ankle boot" for Fashion and "digit 9" for MNIST', () => {
    const info = { index: 1, x: 10, y: 10, sigma: null };
    const { container } = render(<HoverCard info={info} testSet={testSet(classNamesFor('fashion', 10))} boxWidth={600} />);
    expect(container.querySelector('.hover-title')!.textContent).toBe('Ankle boot');
    cleanup();
    const mnist = render(<HoverCard info={info} testSet={testSet(classNamesFor('mnist', 10))} boxWidth={600} />);
    expect(mnist.container.querySelector('.hover-title')!.textContent).toBe('digit 9');
  });
});

