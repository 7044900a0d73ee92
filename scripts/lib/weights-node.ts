/** Saving and loading the VAE weights format (docs/weights-format.md) in a folder on disk, through the same code as the browser. */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as tf from '../../src/core/tf';
import { loadModelFromSource, type LoadedModel, type LoadOptions } from '../../src/core/io/load';
import { MissingFileError, WeightsError } from '../../src/core/io/manifest';
import { modelJsonFor, weightBytesOf, type WeightsSink } from '../../src/core/io/save';
import { tooLarge, type WeightsSource } from '../../src/core/io/source';

/** A sink writing `dir/vae.json`, `dir/encoder/model.json` + `weights.bin` and the same for the decoder. */
export function directorySink(dir: string): WeightsSink {
  return {
    handlerFor(part) {
      return tf.io.withSaveHandler(async (artifacts) => {
        const folder = join(dir, part);
        await mkdir(folder, { recursive: true });
        await writeFile(join(folder, 'weights.bin'), new Uint8Array(weightBytesOf(artifacts)));
        await writeFile(join(folder, 'model.json'), JSON.stringify(modelJsonFor(artifacts, 'weights.bin')));
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      });
    },
    async writeManifest(manifestJson) {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'vae.json'), manifestJson);
    },
  };
}

/** Files on disk; paths inside a manifest or model.json resolve against that file's folder. */
export function fileSource(): WeightsSource {
  return {
    resolve: (path, base) => resolve(base.endsWith('/') ? base : dirname(base), path),
    async read(file, { maxBytes, onBytes }) {
      try {
        const { size } = await stat(file);
        if (size > maxBytes) throw tooLarge(file, size, maxBytes);
        const bytes = new Uint8Array(await readFile(file));
        onBytes?.(bytes.length);
        return bytes;
      } catch (err) {
        if (err instanceof WeightsError) throw err;
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw new MissingFileError(`Could not find ${file}.`);
        throw new WeightsError(`Could not read ${file}: ${(err as Error).message}.`);
      }
    },
  };
}

/** Loads a model from a folder in any layout the app reads (core/io/locate.ts: `vae.json`, `encoder/` + `decoder/`, a `.safetensors`, a `model.json` alone), or from the path of one file. */
export async function loadModelFromDirectory(path: string, opts: LoadOptions = {}): Promise<LoadedModel> {
  const entry = resolve(path);
  const info = await stat(entry).catch(() => null);
  if (!info) throw new WeightsError(`Could not find ${entry}.`);
  return loadModelFromSource(fileSource(), info.isDirectory() ? `${entry}/` : entry, opts);
}
