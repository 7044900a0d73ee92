// @vitest-environment happy-dom
/** The latent scatter's class key for datasets beyond ten digits (EMNIST: 47 or 62 classes). */
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CLASS_COLORS, classColor } from '../../src/app/draw';
import { ClassLegend } from '../../src/app/panels/ClassLegend';

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
});
