/** The drawing pad's canvas: strokes in CSS pixels of the pad, drawn with a round pen at the screen's resolution. */
import type { Stroke, StrokePoint } from '../../core/data/mnistify';

/** Pen width as a share of the pad's side (a digit drawn across the pad looks like MNIST's strokes). */
export const PEN_SHARE = 0.075;

/** Sizes the canvas's backing store to its CSS size times the pixel ratio; returns its 2-D context scaled to CSS pixels, or null. */
function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D | null {
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  const ratio = Math.min(3, Math.max(1, globalThis.devicePixelRatio || 1));
  const w = Math.round(canvas.clientWidth * ratio);
  const h = Math.round(canvas.clientHeight * ratio);
  if (w > 0 && h > 0 && (canvas.width !== w || canvas.height !== h)) {
    canvas.width = w;
    canvas.height = h;
  }
  ctx.setTransform(canvas.width / Math.max(1, canvas.clientWidth), 0, 0, canvas.height / Math.max(1, canvas.clientHeight), 0, 0);
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.strokeStyle = '#111';
  ctx.fillStyle = '#111';
  ctx.lineWidth = Math.max(2, canvas.clientWidth * PEN_SHARE);
  return ctx;
}

/** Draws one piece of a stroke (from `a` to `b`, or a dot when `a` is null). */
export function drawSegment(canvas: HTMLCanvasElement, a: StrokePoint | null, b: StrokePoint): void {
  const ctx = context(canvas);
  if (!ctx) return;
  ctx.beginPath();
  if (a) {
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
  } else {
    ctx.arc(b.x, b.y, ctx.lineWidth / 2, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** Clears the pad and draws every stroke again (after Undo, Clear or a resize). */
export function redrawPad(canvas: HTMLCanvasElement, strokes: readonly Stroke[]): void {
  const ctx = context(canvas);
  if (!ctx) return;
  ctx.clearRect(0, 0, canvas.clientWidth, canvas.clientHeight);
  for (const s of strokes) {
    if (s.length === 0) continue;
    drawSegment(canvas, null, s[0]);
    for (let i = 1; i < s.length; i++) drawSegment(canvas, s[i - 1], s[i]);
  }
}
