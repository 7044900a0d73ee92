/**
 * A saved model as files in memory: in the folder layout (`folderSink`, what Save files zips), or
 * flat under one base name (`memorySink`: `<base>.vae.json`, `<base>.encoder.json`,
 * `<base>.encoder.weights.bin`, `<base>.decoder.json`, `<base>.decoder.weights.bin`, what this app
 * downloaded before it wrote one archive); either set loads through `memorySource`.
 */
import * as tf from '@tensorflow/tfjs';
import type { LoadedModel } from './load';
import type { VaeManifest } from './manifest';
import { flatNames, safeBaseName } from './names';
import { modelJsonFor, weightBytesOf, type WeightsSink } from './save';

export { flatNames, safeBaseName } from './names';

/** One file of a saved model. */
export interface SavedFile {
  name: string;
  bytes: Uint8Array;
}

/** A WeightsSink that keeps every file in memory under flat names (see `flatNames`); `files` lists them in writing order. */
export function memorySink(base: string): WeightsSink & { files: SavedFile[] } {
  const names = flatNames(safeBaseName(base));
  const files: SavedFile[] = [];
  const utf8 = new TextEncoder();
  return {
    files,
    paths: { encoder: names.model('encoder'), decoder: names.model('decoder') },
    handlerFor(part) {
      return tf.io.withSaveHandler(async (artifacts) => {
        const json = modelJsonFor(artifacts, names.weights(part));
        files.push({ name: names.model(part), bytes: utf8.encode(JSON.stringify(json)) });
        files.push({ name: names.weights(part), bytes: new Uint8Array(weightBytesOf(artifacts)) });
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      });
    },
    async writeManifest(manifestJson) {
      files.unshift({ name: names.manifest, bytes: utf8.encode(manifestJson) });
    },
  };
}

/**
 * A WeightsSink that keeps every file in memory in the folder layout of docs/weights-format.md
 * (`vae.json`, `encoder/model.json`, `encoder/weights.bin`, the same for the decoder), the layout
 * of an archive (core/io/archive.ts); `files` lists them manifest first.
 */
export function folderSink(): WeightsSink & { files: SavedFile[] } {
  const files: SavedFile[] = [];
  const utf8 = new TextEncoder();
  return {
    files,
    handlerFor(part) {
      return tf.io.withSaveHandler(async (artifacts) => {
        files.push({ name: `${part}/model.json`, bytes: utf8.encode(JSON.stringify(modelJsonFor(artifacts, 'weights.bin'))) });
        files.push({ name: `${part}/weights.bin`, bytes: new Uint8Array(weightBytesOf(artifacts)) });
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      });
    },
    async writeManifest(manifestJson) {
      files.unshift({ name: 'vae.json', bytes: utf8.encode(manifestJson) });
    },
  };
}

/**
 * Saves a loaded model as it is, whatever made it (a Keras export too): both parts and its manifest
 * with the sink's paths; a decoder loaded alone becomes one model.json and its weights. Returns the
 * manifest written, or null for a decoder alone.
 */
export async function saveLoadedModel(loaded: LoadedModel, sink: WeightsSink): Promise<VaeManifest | null> {
  if (!loaded.manifest || !loaded.encoder) {
    await loaded.decoder.save(sink.handlerFor('decoder'));
    return null;
  }
  await loaded.encoder.save(sink.handlerFor('encoder'));
  await loaded.decoder.save(sink.handlerFor('decoder'));
  const paths = sink.paths ?? { encoder: 'encoder/model.json', decoder: 'decoder/model.json' };
  // A PyTorch model is saved as the two LayersModels it was turned into; its state dict is not needed any more.
  const { safetensors: _weights, torch: _layout, training, ...rest } = loaded.manifest;
  const manifest: VaeManifest = { ...rest, encoder: paths.encoder, decoder: paths.decoder };
  if (training) manifest.training = { ...training };
  await sink.writeManifest(`${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
