/** Saving a Vae in the weights format (docs/weights-format.md) through tfjs IOHandlers (files in Node, downloads or IndexedDB in the browser). */
import * as tf from '../tf';
import type { Vae } from '../model/vae';
import { manifestFor, type ManifestExtra, type VaeManifest } from './manifest';

/** Where a saved model goes: one IOHandler per LayersModel, plus the manifest text. */
export interface WeightsSink {
  /** The handler that stores one part; it ends up at `<part>/model.json` next to the manifest. */
  handlerFor(part: 'encoder' | 'decoder'): tf.io.IOHandler;
  /** Stores the manifest `vae.json`. */
  writeManifest(manifestJson: string): Promise<void>;
  /** Where the parts' model.json files are, relative to the manifest (default `encoder/model.json`, `decoder/model.json`). */
  paths?: { encoder: string; decoder: string };
}

/** Writes the encoder, the decoder and then the manifest; returns the manifest written. */
export async function saveVae(vae: Vae, sink: WeightsSink, extra: ManifestExtra): Promise<VaeManifest> {
  await vae.encoder.save(sink.handlerFor('encoder'));
  await vae.decoder.save(sink.handlerFor('decoder'));
  const manifest = manifestFor(vae, extra, sink.paths);
  await sink.writeManifest(`${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** The model.json tfjs writes for saved artifacts whose weights are stored in one file, `weightsPath`. */
export function modelJsonFor(artifacts: tf.io.ModelArtifacts, weightsPath = 'weights.bin'): tf.io.ModelJSON {
  if (artifacts.modelTopology instanceof ArrayBuffer || artifacts.modelTopology === undefined) {
    throw new Error('Only LayersModels with a JSON topology can be saved in this format.');
  }
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig !== undefined) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata !== undefined) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  return json;
}

/** All weight bytes of saved artifacts as one buffer (tfjs may hand them over in several pieces). */
export function weightBytesOf(artifacts: tf.io.ModelArtifacts): ArrayBuffer {
  return artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
}
