/** Pointer capture for drags in the latent plot, tolerant of pointers the browser no longer knows; focus on a press. */

/**
 * Keeps a drag's pointer events coming to `el`. The browser may refuse (a pen or touch pointer that
 * is already gone throws NotFoundError): the drag then goes on without capture rather than failing.
 */
export function capturePointer(el: Element, pointerId: number): void {
  try {
    el.setPointerCapture(pointerId);
  } catch {
    // no capture: moves outside the box are missed, the press itself still sets z
  }
}

/** Ends a capture started by `capturePointer`, whatever state the pointer is in. */
export function releasePointer(el: Element, pointerId: number): void {
  try {
    if (el.hasPointerCapture(pointerId)) el.releasePointerCapture(pointerId);
  } catch {
    // already released with the pointer
  }
}

/**
 * Focuses `el` on a press (whose default focus the drag's preventDefault cancels) without the focus
 * ring a focus from script would show: styles.css skips `[data-pointer-focus]` until `showFocusRing`.
 */
export function focusFromPointer(el: HTMLElement): void {
  if (document.activeElement === el) return;
  el.dataset.pointerFocus = '';
  el.focus({ preventScroll: true });
}

/** Lets `el` show its focus ring again (a key was used, or focus left). */
export function showFocusRing(el: HTMLElement): void {
  delete el.dataset.pointerFocus;
}
