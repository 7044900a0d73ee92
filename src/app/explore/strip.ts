/** A row of decoded frames in one canvas, a 1-pixel grey rule between them. */

/** Draws `n` images (intensities in [0, 1], [n, side*side]) side by side, dark ink on white. */
export function drawStrip(canvas: HTMLCanvasElement, pixels: Float32Array, n: number, side: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const width = n * side + (n - 1);
  if (canvas.width !== width || canvas.height !== side) {
    canvas.width = width;
    canvas.height = side;
  }
  const image = ctx.createImageData(width, side);
  const px = side * side;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < width; x++) {
      const cell = Math.floor(x / (side + 1));
      const ix = x - cell * (side + 1);
      const ink = ix === side ? 200 : 255 - Math.round(pixels[cell * px + y * side + ix] * 255);
      const o = (y * width + x) * 4;
      image.data[o] = ink;
      image.data[o + 1] = ink;
      image.data[o + 2] = ink;
      image.data[o + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
}
