/**
 * How the decoded-digit panel turns a latent point into pixels:
 *  - an MLP (conditional too: the one-hot class joins z): at once on the main thread from a snapshot
 *    of the decoder's dense weights (plain JavaScript, a few milliseconds);
 *  - a conv VAE of this app: by a copy of the decoder in the decoder worker
 *    (src/worker/decoder.worker.ts), fed the weights the training worker posts while it trains, so a
 *    drag is not held up by a training step or the manifold;
 *  - a foreign model (a Keras decoder): in the training worker.
 * The last two answer later: one request at a time, with only the newest point waiting.
 */
import { MlpDecoder, snapshotOutputDim, type DecoderSnapshot } from '../core/latent/mlp-decoder';
import { isNetworkSnapshot, type NetworkSnapshot } from '../core/latent/network-snapshot';
import type { DecoderCopyEvent, DecoderCopyRequest } from '../worker/decoder-copy';

/** Decodes latent points for display. */
export interface PointDecoder {
  /** Dimension of the points it takes. */
  readonly latentDim: number;
  /** True when `decode` answers in the caller's task. */
  readonly immediate: boolean;
  /** Decodes z and passes pixel intensities [D] in [0, 1] to `show`: at once, or later (skipped points are never shown). */
  decode(z: readonly number[], show: (pixels: Float32Array) => void): void;
}

/** A decoder running on the main thread over a weights snapshot; a conditional one decodes under `decodeClass()`. */
export function localDecoder(mlp: MlpDecoder, decodeClass: () => number = () => 0): PointDecoder {
  const out = new Float32Array(snapshotOutputDim(mlp.snapshot));
  return { latentDim: mlp.latentDim, immediate: true, decode: (z, show) => show(mlp.decode(z, out, decodeClass())) };
}

/**
 * A decoder in the worker: `request` resolves with the pixels, or null when the answer is stale.
 * At most one request is in flight; points that arrive meanwhile replace each other.
 */
export function remoteDecoder(latentDim: number, request: (z: number[]) => Promise<Float32Array | null>, onError: (err: unknown) => void): PointDecoder {
  let inFlight = false;
  let waiting: { z: number[]; show: (pixels: Float32Array) => void } | null = null;
  const pump = () => {
    if (inFlight || !waiting) return;
    const { z, show } = waiting;
    waiting = null;
    inFlight = true;
    request(z)
      .then((pixels) => {
        if (pixels) show(pixels);
      }, onError)
      .finally(() => {
        inFlight = false;
        pump();
      });
  };
  return {
    latentDim,
    immediate: false,
    decode(z, show) {
      waiting = { z: Array.from(z), show };
      pump();
    },
  };
}

/** The part of a Worker the decoder copy's client uses (a fake in tests). */
export interface DecoderWorkerPort {
  postMessage(message: DecoderCopyRequest, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<DecoderCopyEvent>) => void): void;
  /** A script that fails to load or throws at the top level (a Worker's 'error' event). */
  addEventListener(type: 'error', listener: (e: Event) => void): void;
  terminate(): void;
}

/** Starts the decoder worker. */
function startDecoderWorker(): DecoderWorkerPort {
  return new Worker(new URL('../worker/decoder.worker.ts', import.meta.url), { type: 'module', name: 'vae-decoder' }) as unknown as DecoderWorkerPort;
}

/** Options of `DecoderCopies`. */
export interface DecoderCopiesOptions {
  /** Decodes in the training worker: used until the copy has weights, and for good when the decoder worker cannot start. */
  fallback: (z: number[]) => Promise<Float32Array | null>;
  onError: (err: unknown) => void;
  /** Makes the decoder worker (a fake in tests); by default the real one, or none where Worker is missing. */
  createPort?: () => DecoderWorkerPort | null;
  /** Called for each point sent to the decoder worker (the page holds the training worker still meanwhile: quiet-gate.ts). */
  onCopyDecode?: () => void;
}

/**
 * The page's side of the decoder worker, started on the first snapshot that needs it: it forwards
 * each snapshot (transferred), holds the class a conditional model decodes under, and makes the
 * PointDecoder of a snapshot. Replies to decodes it no longer waits for are dropped.
 */
export class DecoderCopies {
  private port: DecoderWorkerPort | null = null;
  private failed = false;
  private nextId = 1;
  private readonly pending = new Map<number, { z: number[]; resolve: (pixels: Float32Array | null) => void }>();
  private decodeClass = 0;
  /** The decoder over the copy (one object, so its newest-point-wins state lasts across weight updates). */
  private copyDecoder: PointDecoder | null = null;
  private copyLatentDim = 0;

  constructor(private readonly options: DecoderCopiesOptions) {}

  /** The backend the decoder worker runs on, once it has started (for the bench and tests). */
  backend: string | null = null;

  /** The decoder of a `weights` event's snapshot: plain JavaScript for an MLP's, the decoder worker's copy otherwise. */
  decoderFor(snapshot: DecoderSnapshot | NetworkSnapshot): PointDecoder {
    if (!isNetworkSnapshot(snapshot)) {
      this.port?.postMessage({ type: 'release' }, []); // the copy of an earlier conv model is not needed now
      return localDecoder(new MlpDecoder(snapshot), () => this.decodeClass);
    }
    const port = this.ensurePort();
    const latentDim = snapshot.config.latentDim;
    if (!port) return remoteDecoder(latentDim, this.options.fallback, this.options.onError);
    port.postMessage({ type: 'weights', snapshot }, snapshot.weights.map((w) => w.values.buffer as ArrayBuffer));
    if (!this.copyDecoder || this.copyLatentDim !== latentDim) {
      this.copyDecoder = remoteDecoder(latentDim, (z) => (this.failed ? this.options.fallback(z) : this.request(z)), this.options.onError);
      this.copyLatentDim = latentDim;
    }
    return this.copyDecoder;
  }

  /** The class a conditional model decodes under from now on (the class picker's). */
  setDecodeClass(label: number): void {
    this.decodeClass = label;
  }

  /** A new model: it decodes under class 0 first, as the training worker's. */
  newModel(): void {
    this.decodeClass = 0;
  }

  /** Stops the decoder worker; decodes still waiting resolve as stale. */
  close(): void {
    this.port?.terminate();
    this.port = null;
    for (const { resolve } of this.pending.values()) resolve(null);
    this.pending.clear();
  }

  private ensurePort(): DecoderWorkerPort | null {
    if (this.port || this.failed) return this.port;
    const create = this.options.createPort ?? (() => (typeof Worker === 'undefined' ? null : startDecoderWorker()));
    const port = create();
    if (!port) {
      this.failed = true;
      return null;
    }
    port.addEventListener('message', (e) => this.onEvent(e.data));
    port.addEventListener('error', () => this.onEvent({ type: 'error', id: null, message: 'The decoder worker did not start.', fatal: true }));
    this.port = port;
    return port;
  }

  private onEvent(e: DecoderCopyEvent): void {
    switch (e.type) {
      case 'ready':
        this.backend = e.backend;
        return;
      case 'decoded': {
        const waiting = this.pending.get(e.id);
        this.pending.delete(e.id);
        waiting?.resolve(e.pixels);
        return;
      }
      case 'error':
        if (e.fatal) {
          // The copy cannot run here: the training worker decodes instead (slower while it trains, but right).
          const waiting = [...this.pending.values()];
          this.pending.clear();
          this.failed = true;
          this.close();
          for (const { z, resolve } of waiting) this.options.fallback(z).then(resolve, () => resolve(null));
          return;
        }
        if (e.id !== null) {
          this.pending.get(e.id)?.resolve(null);
          this.pending.delete(e.id);
        }
        this.options.onError(new Error(e.message));
        return;
    }
  }

  private request(z: number[]): Promise<Float32Array | null> {
    const port = this.port;
    if (!port) return this.options.fallback(z);
    const id = this.nextId++;
    this.options.onCopyDecode?.();
    return new Promise((resolve) => {
      this.pending.set(id, { z, resolve });
      port.postMessage({ type: 'decode', id, z, label: this.decodeClass }, []);
    });
  }
}
