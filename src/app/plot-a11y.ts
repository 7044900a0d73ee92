/**
 * Plotly's DOM made fit for a keyboard and a screen reader, after each draw: its drawing layers
 * (SVG and WebGL canvases, whose text is tick labels and hover boxes) are hidden from assistive
 * technology, the chart's own label says what it shows; its mode bar, when shown, is one Tab stop
 * (a toolbar with a roving tabindex: arrow keys, Home and End move between its buttons) that
 * styles.css keeps visible while focus is inside it.
 */

const BUTTON = '.modebar-btn';

/** Hides Plotly's drawing layers from assistive technology (idempotent: run after every draw). */
export function hideGraphics(gd: HTMLElement): void {
  const layers = gd.querySelectorAll<Element>('.svg-container > svg, .svg-container > .gl-container, .svg-container > canvas, .svg-container > div:not(.modebar-container)');
  for (const layer of layers) if (layer.getAttribute('aria-hidden') !== 'true') layer.setAttribute('aria-hidden', 'true');
}

/** The mode bar's buttons, in order. */
function toolbarButtons(gd: HTMLElement): HTMLElement[] {
  return [...gd.querySelectorAll<HTMLElement>(`.modebar ${BUTTON}`)];
}

/**
 * Gives the mode bar one Tab stop (the last button used, else the first) and a name. Idempotent,
 * since Plotly may rebuild the buttons on a redraw.
 */
export function rovingToolbar(gd: HTMLElement, label: string): void {
  const bar = gd.querySelector<HTMLElement>('.modebar');
  const buttons = toolbarButtons(gd);
  if (!bar || buttons.length === 0) return;
  if (bar.getAttribute('aria-label') !== label) bar.setAttribute('aria-label', label);
  const current = buttons.find((b) => b.dataset.roving === 'current') ?? buttons[0];
  for (const b of buttons) {
    const stop = b === current;
    b.tabIndex = stop ? 0 : -1;
    if (stop) b.dataset.roving = 'current';
    else delete b.dataset.roving;
  }
}

/**
 * Arrow keys, Home and End on a mode-bar button move focus along the bar (delegated from the plot
 * element, so rebuilt buttons need nothing). Returns true when the key was handled.
 */
export function toolbarKey(gd: HTMLElement, event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target?.matches?.(BUTTON) || event.altKey || event.ctrlKey || event.metaKey) return false;
  const buttons = toolbarButtons(gd);
  const at = buttons.indexOf(target);
  if (at < 0) return false;
  const last = buttons.length - 1;
  const next =
    event.key === 'ArrowRight' || event.key === 'ArrowDown' ? (at === last ? 0 : at + 1)
    : event.key === 'ArrowLeft' || event.key === 'ArrowUp' ? (at === 0 ? last : at - 1)
    : event.key === 'Home' ? 0
    : event.key === 'End' ? last
    : -1;
  if (next < 0) return false;
  for (const b of buttons) {
    b.tabIndex = -1;
    delete b.dataset.roving;
  }
  buttons[next].tabIndex = 0;
  buttons[next].dataset.roving = 'current';
  buttons[next].focus();
  return true;
}
