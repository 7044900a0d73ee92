/**
 * A copy of the decoder in a thread of its own (decoder.worker.ts), so a drag through z is decoded
 * while the training worker is busy with a step (a conv step takes about 70 ms on wasm here) or with
 * the manifold (a conv decoder's grid takes seconds). The training worker posts the decoder's weights
 * every few hundred milliseconds (the `weights` event); the copy is the same network, built by the
 * family's own builder (model/families.ts) from the model's config, with those weights set.
 *
 * Why not plain JavaScript on the main thread, as for the MLP (core/latent/mlp-decoder.ts)? The conv
 * decoder (7x7x64 -> 14x14x64 -> 28x28x32 -> 28x28x1, 3x3 transposed convolutions) is about 5.6
 * million multiply-adds per digit: a straightforward JavaScript loop measured 45 ms (p50) in Node
 * here, tfjs-wasm's kernels (SIMD, one thread) 11-15 ms under the same load. So tfjs runs it, on wasm
 * with one thread (cpu when wasm cannot start), away from the main thread and the training worker.
 */
import * as tf from '../core/tf';
import type { VaeConfig } from '../core/model/config';
import { ConvPointDecoder } from '../core/model/conv';
import { familyOf } from '../core/model/families';
import type { NetworkSnapshot } from '../core/latent/network-snapshot';

export { isNetworkSnapshot, type NetworkSnapshot } from '../core/latent/network-snapshot';

/** Copies of the decoder's weights with its config (fresh buffers, safe to transfer). */
export async function networkSnapshot(config: Readonly<VaeConfig>, decoder: tf.LayersModel): Promise<NetworkSnapshot> {
  const tensors = decoder.getWeights(); // the variables' values, not copies: read, never disposed
  const values = await Promise.all(tensors.map((t) => t.data()));
  return {
    kind: 'network',
    config: { ...config, hidden: [...config.hidden] },
    weights: tensors.map((t, i) => ({ shape: [...t.shape], values: new Float32Array(values[i] as Float32Array) })),
  };
}

/** The config fields that shape the decoder's network: copies with equal keys take each other's weights. */
function architectureKey(c: Readonly<VaeConfig>): string {
  return JSON.stringify([c.family, c.conditional, c.conditional ? c.classes : 0, c.inputDim, c.latentDim, c.family === 'mlp' ? c.hidden : [], c.activation]);
}

/** The same decoder as the model's, decoding one latent point at a time. Owns its tensors until `dispose`. */
export class DecoderCopy {
  private model: tf.LayersModel | null = null;
  /** A conv decoder's fast path for points (its transposed convolutions arranged once per weights), or null. */
  private points: ConvPointDecoder | null = null;
  private key = '';
  private config: VaeConfig | null = null;

  /** Latent dimension of the copy (0 before the first snapshot). */
  get latentDim(): number {
    return this.config?.latentDim ?? 0;
  }

  /**
   * Takes a snapshot's weights: into the network it has when the architecture is the same, else into
   * a new one built by the family's builder. Throws in words when the weights do not fit the network.
   */
  load(snapshot: NetworkSnapshot): void {
    const key = architectureKey(snapshot.config);
    if (!this.model || key !== this.key) {
      this.model?.dispose();
      this.model = null;
      this.model = familyOf(snapshot.config).buildDecoder(snapshot.config);
      this.key = key;
    }
    this.config = snapshot.config;
    const model = this.model;
    const expected = model.weights.map((w) => w.shape);
    if (expected.length !== snapshot.weights.length || snapshot.weights.some((w, i) => w.shape.join('x') !== expected[i].join('x') || w.values.length !== tf.util.sizeFromShape(w.shape))) {
      throw new Error(`The decoder's weights (${snapshot.weights.length} arrays) do not fit a ${snapshot.config.family} decoder of ${expected.length}.`);
    }
    const tensors = snapshot.weights.map((w) => tf.tensor(w.values, w.shape, 'float32'));
    try {
      model.setWeights(tensors); // the variables take copies of the values
    } finally {
      tf.dispose(tensors);
    }
    this.points?.dispose();
    this.points = snapshot.config.family === 'conv' ? new ConvPointDecoder(snapshot.config, model) : null;
  }

  /**
   * Pixel intensities sigmoid(logits) in [0, 1]: z [latentDim] (a conditional model: under the class
   * `label`, 0 to classes - 1) -> [inputDim], a fresh buffer. Throws before the first snapshot.
   */
  async decode(z: ArrayLike<number>, label = 0): Promise<Float32Array> {
    const { model, config } = this;
    if (!model || !config) throw new Error('The decoder copy has no weights yet.');
    const pixels = tf.tidy(() => {
      const zT = tf.tensor2d(Array.from({ length: config.latentDim }, (_, k) => Number(z[k] ?? 0)), [1, config.latentDim]); // [1, Z]
      const inputs = config.conditional ? [zT, tf.cast(tf.oneHot(tf.tensor1d([clampClass(label, config.classes)], 'int32'), config.classes), 'float32')] : zT; // c [1, C]
      const c = Array.isArray(inputs) ? (inputs[1] as tf.Tensor2D) : undefined;
      return tf.sigmoid(this.points ? this.points.decodeLogits(zT, c) : (model.predict(inputs) as tf.Tensor2D)); // [1, D]
    });
    try {
      return new Float32Array((await pixels.data()) as Float32Array);
    } finally {
      pixels.dispose();
    }
  }

  /** Frees the copy's weights. */
  dispose(): void {
    this.points?.dispose();
    this.points = null;
    this.model?.dispose();
    this.model = null;
    this.config = null;
    this.key = '';
  }
}

function clampClass(label: number, classes: number): number {
  return Number.isInteger(label) && label >= 0 && label < classes ? label : 0;
}

/** Messages to the decoder worker. */
export type DecoderCopyRequest =
  | { type: 'weights'; snapshot: NetworkSnapshot }
  | { type: 'decode'; id: number; z: number[]; label: number }
  | { type: 'release' };

/** Messages from the decoder worker. */
export type DecoderCopyEvent =
  | { type: 'ready'; backend: string }
  | { type: 'decoded'; id: number; pixels: Float32Array }
  /** `id` of the decode that failed, or null (weights, or the backend's start). `fatal`: the copy cannot work here. */
  | { type: 'error'; id: number | null; message: string; fatal: boolean };

/**
 * The decoder worker's logic, apart from postMessage: weights replace the copy's, a decode answers
 * with pixels. Decodes are handled in order; the page sends one at a time, so none queue up.
 */
export class DecoderCopyHost {
  private readonly copy = new DecoderCopy();

  constructor(private readonly post: (event: DecoderCopyEvent, transfer: Transferable[]) => void) {}

  async handle(req: DecoderCopyRequest): Promise<void> {
    switch (req.type) {
      case 'weights':
        try {
          this.copy.load(req.snapshot);
        } catch (err) {
          this.post({ type: 'error', id: null, message: messageOf(err), fatal: false }, []);
        }
        return;
      case 'decode':
        try {
          const pixels = await this.copy.decode(req.z, req.label);
          this.post({ type: 'decoded', id: req.id, pixels }, [pixels.buffer]);
        } catch (err) {
          this.post({ type: 'error', id: req.id, message: messageOf(err), fatal: false }, []);
        }
        return;
      case 'release':
        this.copy.dispose();
        return;
    }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
