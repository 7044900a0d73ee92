/** Pointer capture for drags in the latent plot, tolerant of pointers the browser no longer knows. */

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
