/** Loading a VAE (manifest + two LayersModels, or a decoder model.json alone) from a URL or any WeightsSource. */
import type * as tf from '@tensorflow/tfjs';
import '../model/sampling-layer'; // registers the Keras `Sampling` layer before any topology is read
import { buildModel, disposeModel, parseModelJson, readJson, readWeights, type ModelFile, type Part, type WeightBytes } from './artifacts';
import { parseManifest, WeightsError, type VaeManifest } from './manifest';
import { showLocation } from './quote';
import type { DownloadLimits } from '../net/download';
import { DEFAULT_MAX_BYTES, urlSource, type ReadOptions, type WeightsSource } from './source';
import { checkDecoder, checkEncoder, checkFinite, checkLatentSizes, guessDecoderOutput } from './validate';

export { WeightsError } from './manifest';
export { memorySource, urlSource, type WeightsSource } from './source';

/** A loaded and validated model. The caller owns the LayersModels (see `disposeLoaded`). */
export interface LoadedModel {
  /** The manifest, or null for a decoder model.json loaded alone. */
  manifest: VaeManifest | null;
  /** q(z|x): outputs [mean, logVar] or [mean, logVar, z]; null for a decoder-only model. */
  encoder: tf.LayersModel | null;
  /** p(x|z): [null, latentDim] -> [null, 784] or [null, 28, 28, 1]. */
  decoder: tf.LayersModel;
  latentDim: number;
  decoderOutput: 'logits' | 'probabilities';
}

/** Options of the loaders. */
export interface LoadOptions {
  /** Overall progress of the weight download, from 0 to 1. */
  onProgress?: (fraction: number) => void;
  /** Refuse any file larger than this many bytes (default 200 MB). */
  maxBytes?: number;
  /**
   * Building the LayersModels waits for this (e.g. the tfjs backend, starting while the files
   * download); the download itself needs no tfjs.
   */
  buildAfter?: Promise<unknown>;
  /** Cancels the load: downloads stop, nothing is built, and it fails. */
  signal?: AbortSignal;
}

/** Options of `loadModelFromUrl`. */
export interface UrlLoadOptions extends LoadOptions {
  /** Replacement for the global fetch (tests, custom headers). */
  fetchImpl?: typeof fetch;
  /** Other download limits than core/net's defaults (tests use short ones). */
  limits?: Partial<DownloadLimits>;
}

export { DEFAULT_MAX_BYTES } from './source';

/** Loads a model from the URL of a manifest (`vae.json`) or of a decoder `model.json`. Throws WeightsError. */
export function loadModelFromUrl(url: string, opts: UrlLoadOptions = {}): Promise<LoadedModel> {
  let absolute: string;
  try {
    absolute = new URL(url, globalThis.location?.href).href;
  } catch {
    throw new WeightsError(`${JSON.stringify(url.slice(0, 200))} is not a valid address.`);
  }
  return loadModelFromSource(urlSource(opts.fetchImpl, opts.limits), absolute, opts);
}

/** Loads a model whose manifest or decoder model.json is at `entry` in `source`; validates it fully. */
export async function loadModelFromSource(source: WeightsSource, entry: string, opts: LoadOptions = {}): Promise<LoadedModel> {
  // One failed file stops the downloads still running beside it; the caller's signal stops them all.
  const downloads = new AbortController();
  const stop = () => downloads.abort();
  if (opts.signal?.aborted) stop();
  opts.signal?.addEventListener('abort', stop);
  try {
    return await loadFiles(source, entry, opts, { maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES, signal: downloads.signal });
  } finally {
    stop();
    opts.signal?.removeEventListener('abort', stop);
  }
}

/** Throws when the load has been cancelled. */
function checkCancelled(signal: AbortSignal | undefined, entry: string): void {
  if (signal?.aborted) throw new WeightsError(`Loading ${showLocation(entry)} was cancelled.`);
}

async function loadFiles(source: WeightsSource, entry: string, opts: LoadOptions, read: ReadOptions): Promise<LoadedModel> {
  checkCancelled(opts.signal, entry);
  opts.onProgress?.(0);
  const first = await readJson(source, entry, 'a model manifest', read);
  const decoderOnly = typeof first === 'object' && first !== null && 'modelTopology' in first;
  const manifest = decoderOnly ? null : parseManifest(first, entry);
  if (manifest?.conditional) throw new WeightsError(`${showLocation(entry)} describes a conditional model; this app does not support those yet.`);

  const modelFile = async (part: Part, location: string) =>
    parseModelJson(await readJson(source, location, `the ${part}'s model.json`, read), location, part);
  const files: Partial<Record<Part, ModelFile>> = {};
  if (manifest) {
    [files.encoder, files.decoder] = await Promise.all([
      modelFile('encoder', source.resolve(manifest.encoder, entry)),
      modelFile('decoder', source.resolve(manifest.decoder, entry)),
    ]);
  } else {
    files.decoder = parseModelJson(first, entry, 'decoder');
  }
  const weights = await readAllWeights(source, files, { ...read, onProgress: opts.onProgress });
  checkCancelled(opts.signal, entry);
  await opts.buildAfter;
  checkCancelled(opts.signal, entry);

  let encoder: tf.LayersModel | null = null;
  let decoder: tf.LayersModel | null = null;
  try {
    if (files.encoder && weights.encoder) encoder = await buildModel(files.encoder, weights.encoder, 'encoder');
    decoder = await buildModel(files.decoder as ModelFile, weights.decoder as WeightBytes, 'decoder');
    const encoderZ = encoder ? checkEncoder(encoder) : null;
    const latentDim = checkLatentSizes(encoderZ, checkDecoder(decoder), manifest?.latentDim ?? null);
    if (encoder) await checkFinite(encoder, 'encoder');
    await checkFinite(decoder, 'decoder');
    opts.onProgress?.(1);
    return { manifest, encoder, decoder, latentDim, decoderOutput: manifest?.decoderOutput ?? guessDecoderOutput(decoder) };
  } catch (err) {
    if (encoder) disposeModel(encoder);
    if (decoder) disposeModel(decoder);
    throw err;
  }
}

async function readAllWeights(
  source: WeightsSource,
  files: Partial<Record<Part, ModelFile>>,
  opts: ReadOptions & { onProgress?: (fraction: number) => void },
): Promise<Partial<Record<Part, WeightBytes>>> {
  const parts = (['encoder', 'decoder'] as const).filter((p) => files[p]);
  const total = parts.reduce((sum, p) => sum + (files[p] as ModelFile).groupBytes.reduce((a, b) => a + b, 0), 0);
  let loaded = 0;
  const onBytes = (n: number) => {
    loaded += n;
    if (total > 0) opts.onProgress?.(Math.min(0.99, loaded / total));
  };
  const results = await Promise.all(parts.map((p) => readWeights(source, files[p] as ModelFile, p, { maxBytes: opts.maxBytes, signal: opts.signal, onBytes })));
  return Object.fromEntries(parts.map((p, i) => [p, results[i]]));
}

/** Frees the LayersModels of a loaded model. */
export function disposeLoaded(model: LoadedModel): void {
  if (model.encoder) disposeModel(model.encoder);
  disposeModel(model.decoder);
}
