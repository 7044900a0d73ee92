/**
 * A WeightsSink that writes a model flat under one base name (`<base>.vae.json`, `<base>.encoder.json`,
 * `<base>.encoder.weights.bin`, ...): the layout this app downloaded before it wrote one archive. The
 * app no longer writes it; tests use it to check that such files still load.
 */
import * as tf from '@tensorflow/tfjs';
import type { SavedFile } from '../../../src/core/io/files';
import { flatNames, safeBaseName } from '../../../src/core/io/names';
import { modelJsonFor, weightBytesOf, type WeightsSink } from '../../../src/core/io/save';

/** Keeps every file in memory under flat names; `files` lists them in writing order. */
export function flatSink(base: string): WeightsSink & { files: SavedFile[] } {
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
