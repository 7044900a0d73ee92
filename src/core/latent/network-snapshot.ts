/**
 * A decoder's weights as plain arrays with the config that builds its network: what the decoder
 * worker's copy of a conv or conditional decoder takes (src/worker/decoder-copy.ts). No tfjs here:
 * the main thread and the worker protocol import this file.
 */
import type { VaeConfig } from '../model/config';

/** A decoder's weights and the config that builds its network. Buffers are fresh (transferable). */
export interface NetworkSnapshot {
  kind: 'network';
  /** The model's config: its family, latent size, conditional and classes build the decoder. */
  config: VaeConfig;
  /** The decoder's weights in `LayersModel.getWeights()` order, each with its shape. */
  weights: { shape: number[]; values: Float32Array }[];
}

/** True for a snapshot that a decoder copy takes (the MLP's dense snapshot, DecoderSnapshot, has no `kind`). */
export function isNetworkSnapshot(s: object): s is NetworkSnapshot {
  return (s as { kind?: unknown }).kind === 'network';
}
