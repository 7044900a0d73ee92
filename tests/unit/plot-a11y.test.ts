// @vitest-environment happy-dom
/**
 * Plotly's DOM made fit for a keyboard and a screen reader (src/app/plot-a11y.ts), on a copy of the
 * structure Plotly 3 builds: drawing layers hidden, the mode bar one named Tab stop with arrow keys.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hideGraphics, rovingToolbar, toolbarKey } from '../../src/app/plot-a11y';

const NAMES = ['Zoom', 'Pan', 'Zoom in', 'Zoom out', 'Autoscale', 'Reset axes'];

/** A plot element as Plotly leaves it: SVG and WebGL layers and a mode bar of two groups. */
function plotDom(): HTMLElement {
  const gd = document.createElement('div');
  const buttons = (names: string[]) => names.map((n) => `<button type="button" class="modebar-btn" aria-label="${n}"></button>`).join('');
  gd.innerHTML = `<div class="plot-container plotly"><div class="svg-container">
    <svg class="main-svg"></svg><div class="gl-container"><canvas></canvas></div><svg class="main-svg"></svg>
    <div class="modebar-container"><div class="modebar modebar--hover" role="toolbar">
      <div class="modebar-group">${buttons(NAMES.slice(0, 2))}</div><div class="modebar-group">${buttons(NAMES.slice(2))}</div>
    </div></div></div></div>`;
  document.body.append(gd);
  return gd;
}

const key = (target: Element, k: string, extra: KeyboardEventInit = {}) => {
  const event = new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...extra });
  Object.defineProperty(event, 'target', { value: target });
  return event;
};

afterEach(() => {
  document.body.innerHTML = '';
});

describe('plot-a11y', () => {
  it('hides the drawing layers from assistive technology, not the mode bar', () => {
    const gd = plotDom();
    hideGraphics(gd);
    const layers = [...gd.querySelectorAll('.svg-container > *')];
    expect(layers.map((l) => `${l.getAttribute('class')}:${l.getAttribute('aria-hidden')}`)).toEqual(['main-svg:true', 'gl-container:true', 'main-svg:true', 'modebar-container:null']);
  });

  it('makes the mode bar one named Tab stop, and arrows, Home and End move along it (wrapping)', () => {
    const gd = plotDom();
    rovingToolbar(gd, 'Loss chart tools');
    const buttons = [...gd.querySelectorAll<HTMLElement>('.modebar-btn')];
    expect(gd.querySelector('.modebar')?.getAttribute('aria-label')).toBe('Loss chart tools');
    expect(buttons.map((b) => b.tabIndex)).toEqual([0, -1, -1, -1, -1, -1]);

    buttons[0].focus();
    expect(toolbarKey(gd, key(buttons[0], 'ArrowRight'))).toBe(true);
    expect(document.activeElement).toBe(buttons[1]);
    expect(buttons.map((b) => b.tabIndex)).toEqual([-1, 0, -1, -1, -1, -1]);
    expect(toolbarKey(gd, key(buttons[1], 'End'))).toBe(true);
    expect(document.activeElement).toBe(buttons[5]);
    expect(toolbarKey(gd, key(buttons[5], 'ArrowRight'))).toBe(true);
    expect(document.activeElement).toBe(buttons[0]);
    expect(toolbarKey(gd, key(buttons[0], 'ArrowLeft'))).toBe(true);
    expect(document.activeElement).toBe(buttons[5]);
    expect(toolbarKey(gd, key(buttons[5], 'Home'))).toBe(true);
    expect(document.activeElement).toBe(buttons[0]);
    // Keys it does not own, and keys outside the bar, are left alone.
    expect(toolbarKey(gd, key(buttons[0], 'Enter'))).toBe(false);
    expect(toolbarKey(gd, key(buttons[0], 'ArrowRight', { ctrlKey: true }))).toBe(false);
    expect(toolbarKey(gd, key(gd, 'ArrowRight'))).toBe(false);
  });

  it('keeps the last used button as the Tab stop across redraws, and starts rebuilt buttons at the first', () => {
    const gd = plotDom();
    rovingToolbar(gd, 'tools');
    const buttons = [...gd.querySelectorAll<HTMLElement>('.modebar-btn')];
    toolbarKey(gd, key(buttons[0], 'ArrowRight'));
    toolbarKey(gd, key(buttons[1], 'ArrowRight'));
    rovingToolbar(gd, 'tools'); // a redraw
    expect(buttons.map((b) => b.tabIndex)).toEqual([-1, -1, 0, -1, -1, -1]);

    const bar = gd.querySelector('.modebar')!;
    bar.innerHTML = `<div class="modebar-group">${NAMES.map((n) => `<button class="modebar-btn" aria-label="${n}"></button>`).join('')}</div>`;
    rovingToolbar(gd, 'tools');
    expect([...gd.querySelectorAll<HTMLElement>('.modebar-btn')].map((b) => b.tabIndex)).toEqual([0, -1, -1, -1, -1, -1]);
  });
});
