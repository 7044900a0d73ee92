/**
 * A saved model as files in memory, in the folder layout (`folderSink`, what Save files zips). Files
 * flat under one base name (`<base>.vae.json`, `<base>.encoder.json`, ..., what this app downloaded
 * before it wrote one archive) still load through `memorySource`.
 */
import * as tf from '../tf';
import type { LoadedModel } from './load';
import type { VaeManifest } from './manifest';
import { modelJsonFor, weightBytesOf, type WeightsSink } from './save';

export { flatNames, safeBaseName } from './names';

/** One file of a saved model. */
export interface SavedFile {
  name: string;
  bytes: Uint8Array;
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
