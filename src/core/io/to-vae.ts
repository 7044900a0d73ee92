/** Turning a loaded model back into a trainable Vae, when it was saved by this app. */
import { Vae } from '../model/vae';
import type { LoadedModel } from './load';
import { WeightsError } from './manifest';
import { textFromFile } from './quote';

/** A Vae over the loaded LayersModels (they stay shared, not copied); throws WeightsError when it cannot be trained here. */
export function vaeFromLoaded(loaded: LoadedModel): Vae {
  const config = loaded.manifest?.config;
  if (!config || !loaded.encoder) {
    throw new WeightsError('This model cannot be trained further here: it has no encoder or its manifest has no "config".');
  }
  if (loaded.decoderOutput !== 'logits' || loaded.encoder.outputs.length !== 2) {
    throw new WeightsError('This model cannot be trained further here: it was not made by this app.');
  }
  try {
    return new Vae(config, loaded.encoder, loaded.decoder);
  } catch (err) {
    throw new WeightsError(`This model cannot be trained further here: its layers do not match its config (${textFromFile((err as Error).message, 200)}).`);
  }
}
