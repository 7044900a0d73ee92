/** Drawing grayscale digits into canvases (dark ink on white paper). */

/** Writes a grayscale image (values in [0, 1], or bytes when `bytes` is set) into RGBA pixels, inverted. */
export function grayToRgba(gray: ArrayLike<number>, rgba: Uint8ClampedArray, bytes = false, offset = 0, count = gray.length): void {
  for (let i = 0; i < count; i++) {
    const v = bytes ? gray[offset + i] : Math.round(gray[offset + i] * 255);
    const ink = 255 - v;
    const o = i * 4;
    rgba[o] = ink;
    rgba[o + 1] = ink;
    rgba[o + 2] = ink;
    rgba[o + 3] = 255;
  }
}

/** Draws one side×side image at the canvas's own resolution. */
export function drawDigit(canvas: HTMLCanvasElement, gray: ArrayLike<number>, side: number, bytes = false, offset = 0): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  if (canvas.width !== side || canvas.height !== side) {
    canvas.width = side;
    canvas.height = side;
  }
  const image = ctx.createImageData(side, side);
  grayToRgba(gray, image.data, bytes, offset, side * side);
  ctx.putImageData(image, 0, 0);
}

/** Draws n×n tiles (bytes, [n*n, side*side]) into one (n*side)² canvas, row by row. */
export function drawTiles(canvas: HTMLCanvasElement, tiles: Uint8Array, n: number, side: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const size = n * side;
  if (canvas.width !== size || canvas.height !== size) {
    canvas.width = size;
    canvas.height = size;
  }
  const image = ctx.createImageData(size, size);
  const px = side * side;
  for (let cell = 0; cell < n * n; cell++) {
    const r = Math.floor(cell / n);
    const c = cell % n;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const ink = 255 - tiles[cell * px + y * side + x];
        const o = ((r * side + y) * size + c * side + x) * 4;
        image.data[o] = ink;
        image.data[o + 1] = ink;
        image.data[o + 2] = ink;
        image.data[o + 3] = 255;
      }
    }
  }
  ctx.putImageData(image, 0, 0);
}

/** Ten distinguishable class colours (Tableau 10), index = digit. */
export const CLASS_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#c9a227', '#b07aa1', '#ff9da7', '#9c755f', '#17becf'];

/**
 * The colour of class `c` of `count`: the ten-colour palette while it suffices; for more classes
 * (EMNIST's 47 or 62) hues spread evenly round the colour wheel at three lightness levels, so
 * neighbouring classes differ and no colour repeats.
 */
export function classColor(c: number, count: number): string {
  if (count <= CLASS_COLORS.length) return CLASS_COLORS[c % CLASS_COLORS.length];
  const hue = Math.round((c * 360 * 7) / count) % 360; // a stride of 7 sectors keeps consecutive classes apart
  const lightness = [42, 58, 32][c % 3];
  return `hsl(${hue} 70% ${lightness}%)`;
}
