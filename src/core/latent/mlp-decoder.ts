/**
 * A decoder forward pass in plain JavaScript over a snapshot of dense weights: no tfjs, no GPU
 * round trip. For a 2→256→512→784 MLP one decode is about half a million multiply-adds, which lets
 * the main thread decode every pointer move within a frame (the bench's main_thread_decode).
 */

/** Activation of a dense layer in a snapshot. */
export type SnapshotActivation = 'linear' | 'relu' | 'elu' | 'tanh' | 'sigmoid';

/** One dense layer's weights: y = act(x·W + b). */
export interface DenseSnapshot {
  /** [inDim, outDim] row-major, as tfjs stores a Dense kernel. */
  kernel: Float32Array;
  /** [outDim] */
  bias: Float32Array;
  inDim: number;
  outDim: number;
  activation: SnapshotActivation;
}

/** The decoder's layers, first to last; the last one outputs logits (pixels are sigmoid(logits)). */
export interface DecoderSnapshot {
  layers: DenseSnapshot[];
  /** A conditional decoder's number of classes: its first layer takes z joined by the one-hot class, [latentDim + classes]. */
  classes?: number;
}

/** Latent dimension a snapshot decodes from (a conditional decoder's first layer also takes the class). */
export function snapshotLatentDim(s: DecoderSnapshot): number {
  return Math.max(0, (s.layers[0]?.inDim ?? 0) - (s.classes ?? 0));
}

/** Pixels per decoded image. */
export function snapshotOutputDim(s: DecoderSnapshot): number {
  return s.layers[s.layers.length - 1]?.outDim ?? 0;
}

/** Checks shapes; throws a plain-words error when a snapshot is inconsistent. */
export function validateSnapshot(s: DecoderSnapshot): void {
  if (s.layers.length === 0) throw new Error('The decoder snapshot has no layers.');
  s.layers.forEach((l, i) => {
    if (l.kernel.length !== l.inDim * l.outDim || l.bias.length !== l.outDim) {
      throw new Error(`Decoder layer ${i + 1} has a kernel of ${l.kernel.length} values and a bias of ${l.bias.length}, expected ${l.inDim}x${l.outDim} and ${l.outDim}.`);
    }
    if (i > 0 && s.layers[i - 1].outDim !== l.inDim) {
      throw new Error(`Decoder layer ${i + 1} takes ${l.inDim} inputs but layer ${i} gives ${s.layers[i - 1].outDim}.`);
    }
  });
}

function activate(h: Float32Array, activation: SnapshotActivation): void {
  switch (activation) {
    case 'linear':
      return;
    case 'relu':
      for (let j = 0; j < h.length; j++) if (h[j] < 0) h[j] = 0;
      return;
    case 'elu':
      for (let j = 0; j < h.length; j++) if (h[j] < 0) h[j] = Math.expm1(h[j]);
      return;
    case 'tanh':
      for (let j = 0; j < h.length; j++) h[j] = Math.tanh(h[j]);
      return;
    case 'sigmoid':
      for (let j = 0; j < h.length; j++) h[j] = 1 / (1 + Math.exp(-h[j]));
      return;
  }
}

/** y = act(x·W + b) for one row: x [inDim] -> y [outDim]. */
function denseRow(x: Float32Array, layer: DenseSnapshot, y: Float32Array): void {
  const { kernel, bias, inDim, outDim } = layer;
  y.set(bias);
  for (let i = 0; i < inDim; i++) {
    const xi = x[i];
    if (xi === 0) continue; // ReLU outputs are often zero
    const row = i * outDim;
    for (let j = 0; j < outDim; j++) y[j] += xi * kernel[row + j];
  }
  activate(y, layer.activation);
}

/** Decodes latent points one at a time with reused buffers. */
export class MlpDecoder {
  private readonly buffers: Float32Array[];
  private readonly input: Float32Array;
  /** Latent dimension this decoder takes. */
  readonly latentDim: number;

  constructor(readonly snapshot: DecoderSnapshot) {
    validateSnapshot(snapshot);
    this.latentDim = snapshotLatentDim(snapshot);
    this.input = new Float32Array(snapshot.layers[0].inDim); // [latentDim (+ classes)]
    this.buffers = snapshot.layers.map((l) => new Float32Array(l.outDim));
  }

  /**
   * Pixel intensities sigmoid(logits) in [0, 1] for z [latentDim] -> out [outputDim]; a conditional
   * decoder decodes under the class `label` (0 to classes - 1; another value decodes under class 0).
   */
  decode(z: ArrayLike<number>, out = new Float32Array(snapshotOutputDim(this.snapshot)), label = 0): Float32Array {
    for (let k = 0; k < this.latentDim; k++) this.input[k] = z[k] ?? 0;
    const classes = this.snapshot.classes ?? 0;
    if (classes > 0) {
      this.input.fill(0, this.latentDim); // the one-hot class after z
      this.input[this.latentDim + (Number.isInteger(label) && label >= 0 && label < classes ? label : 0)] = 1;
    }
    let h = this.input;
    this.snapshot.layers.forEach((layer, i) => {
      denseRow(h, layer, this.buffers[i]);
      h = this.buffers[i];
    });
    for (let j = 0; j < out.length; j++) out[j] = 1 / (1 + Math.exp(-h[j]));
    return out;
  }
}
