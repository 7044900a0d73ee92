/**
 * Loading a VAE from a URL or any WeightsSource: a manifest and two LayersModels (Keras 2 or 3 exports
 * included), a decoder model.json alone, an encoder/decoder pair, a folder holding one of those, or a
 * PyTorch state dict (.safetensors). What the address points at is decided in locate.ts.
 */
import type * as tf from '../tf';
import '../model/sampling-layer'; // registers the Keras `Sampling` layer before any topology is read
import { buildModel, disposeModel, parseModelJson, readJson, readWeights, type ModelFile, type Part, type WeightBytes } from './artifacts';
import { locate, pairPlan, type LayersPlan } from './locate';
import { MANIFEST_FORMAT, MANIFEST_VERSION, WeightsError, type VaeManifest } from './manifest';
import { prepareModelFile } from './prepare';
import { showLocation } from './quote';
import type { DownloadLimits } from '../net/download';
import { DEFAULT_MAX_BYTES, urlSource, type ReadOptions, type WeightsSource } from './source';
import { loadTorch } from './torch-load';
import { checkDecoder, checkEncoder, checkFinite, checkLatentSizes, guessDecoderOutput } from './validate';

export { WeightsError } from './manifest';
export { memorySource, urlSource, type WeightsSource } from './source';

/** A loaded and validated model. The caller owns the LayersModels (see `disposeLoaded`). */
export interface LoadedModel {
  /** The manifest (made up from the models for a folder, a pair or a state dict without one), or null for a decoder model.json loaded alone. */
  manifest: VaeManifest | null;
  /** q(z|x): outputs [mean, logVar], [mean, logVar, z] or [mean] alone; null for a decoder-only model. */
  encoder: tf.LayersModel | null;
  /** p(x|z): [null, latentDim] -> [null, 784] or [null, 28, 28, 1]. */
  decoder: tf.LayersModel;
  latentDim: number;
  decoderOutput: 'logits' | 'probabilities';
  /** False when the encoder gives the mean alone (no σ, KL or ELBO), or there is no encoder. */
  hasLogVar: boolean;
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
  /** The location of the encoder's model.json when the entry is the decoder's (a pair without manifest). */
  encoder?: string;
}

/** Options of `loadModelFromUrl`. */
export interface UrlLoadOptions extends LoadOptions {
  /** Replacement for the global fetch (tests, custom headers). */
  fetchImpl?: typeof fetch;
  /** Other download limits than core/net's defaults (tests use short ones). */
  limits?: Partial<DownloadLimits>;
  /** The URL of the encoder's model.json when `url` is the decoder's (the encoder=/decoder= pair, no manifest). */
  encoder?: string;
}

export { DEFAULT_MAX_BYTES } from './source';

/** The absolute form of an address typed by a person. */
function absoluteUrl(url: string): string {
  try {
    return new URL(url, globalThis.location?.href).href;
  } catch {
    throw new WeightsError(`${JSON.stringify(url.slice(0, 200))} is not a valid address.`);
  }
}

/**
 * Loads a model from a URL: of a manifest (`vae.json`), a decoder `model.json` (with `opts.encoder`, the
 * encoder's: a pair), a `.safetensors` state dict, a `vae-torch.json`, or a folder holding any of them. Throws WeightsError.
 */
export function loadModelFromUrl(url: string, opts: UrlLoadOptions = {}): Promise<LoadedModel> {
  const absolute = absoluteUrl(url);
  const encoder = opts.encoder === undefined ? undefined : absoluteUrl(opts.encoder);
  return loadModelFromSource(urlSource(opts.fetchImpl, opts.limits), absolute, { ...opts, encoder });
}

/** Loads a model whose manifest, model.json, state dict or folder is at `entry` in `source` (see `loadModelFromUrl`); validates it fully. */
export async function loadModelFromSource(source: WeightsSource, entry: string, opts: LoadOptions = {}): Promise<LoadedModel> {
  // One failed file stops the downloads still running beside it; the caller's signal stops them all.
  const downloads = new AbortController();
  const stop = () => downloads.abort();
  if (opts.signal?.aborted) stop();
  opts.signal?.addEventListener('abort', stop);
  try {
    return await loadFiles(source, entry, opts, { maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES, signal: downloads.signal }, opts.encoder);
  } finally {
    stop();
    opts.signal?.removeEventListener('abort', stop);
  }
}

/** Throws when the load has been cancelled. */
function checkCancelled(signal: AbortSignal | undefined, entry: string): void {
  if (signal?.aborted) throw new WeightsError(`Loading ${showLocation(entry)} was cancelled.`);
}

async function loadFiles(source: WeightsSource, entry: string, opts: LoadOptions, read: ReadOptions, encoderEntry?: string): Promise<LoadedModel> {
  checkCancelled(opts.signal, entry);
  opts.onProgress?.(0);
  const plan = encoderEntry ? pairPlan(encoderEntry, entry) : await locate(source, entry, read);
  if (plan.kind === 'torch') {
    const buildAfter = (async () => {
      await opts.buildAfter;
      checkCancelled(opts.signal, entry);
    })();
    const torch = await loadTorch(source, plan, read, buildAfter);
    const where = showLocation(plan.weights);
    return validated(torch.manifest, torch.encoder, torch.decoder, opts, { encoder: where, decoder: where });
  }
  const modelFile = async (part: Part, location: string) => {
    const json = plan.read.get(location) ?? (await readJson(source, location, `the ${part}'s model.json`, read));
    return prepareModelFile(parseModelJson(json, location, part), part);
  };
  const files: Partial<Record<Part, ModelFile>> = {};
  [files.encoder, files.decoder] = await Promise.all([plan.encoder ? modelFile('encoder', plan.encoder) : undefined, modelFile('decoder', plan.decoder)]);
  const weights = await readAllWeights(source, files, { ...read, onProgress: opts.onProgress });
  checkCancelled(opts.signal, entry);
  await opts.buildAfter;
  checkCancelled(opts.signal, entry);

  let encoder: tf.LayersModel | null = null;
  let decoder: tf.LayersModel | null = null;
  try {
    if (files.encoder && weights.encoder) encoder = await buildModel(files.encoder, weights.encoder, 'encoder');
    decoder = await buildModel(files.decoder as ModelFile, weights.decoder as WeightBytes, 'decoder');
  } catch (err) {
    if (encoder) disposeModel(encoder);
    throw err;
  }
  const manifest = plan.manifest ?? (encoder ? madeUpManifest(plan, decoder) : null);
  return validated(manifest, encoder, decoder, opts, { encoder: plan.encoder ? showLocation(plan.encoder) : undefined, decoder: showLocation(plan.decoder) });
}

/** The manifest of a model loaded without one (a folder or a pair): the defaults, its paths, the decoder's output kind from its last activation. */
function madeUpManifest(plan: LayersPlan, decoder: tf.LayersModel): VaeManifest {
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    latentDim: decoder.inputs[0]?.shape[1] ?? 0,
    image: [28, 28, 1],
    likelihood: 'bernoulli',
    decoderOutput: guessDecoderOutput(decoder),
    encoder: plan.encoder ?? undefined,
    decoder: plan.decoder,
    dataset: 'mnist',
    classes: 10,
    conditional: false,
  };
}

/** Checks built models against the contract (shapes, latent sizes, finite weights); frees them when they fail. `files` name them in messages. */
async function validated(
  manifest: VaeManifest | null,
  encoder: tf.LayersModel | null,
  decoder: tf.LayersModel,
  opts: LoadOptions,
  files: { encoder?: string; decoder: string },
): Promise<LoadedModel> {
  try {
    const encoderZ = encoder ? checkEncoder(encoder, files.encoder) : null;
    const latentDim = checkLatentSizes(encoderZ, checkDecoder(decoder, files.decoder), manifest?.latentDim ?? null);
    if (encoder) await checkFinite(encoder, 'encoder', files.encoder);
    await checkFinite(decoder, 'decoder', files.decoder);
    opts.onProgress?.(1);
    const hasLogVar = encoder !== null && encoder.outputs.length >= 2;
    return { manifest, encoder, decoder, latentDim, decoderOutput: manifest?.decoderOutput ?? guessDecoderOutput(decoder), hasLogVar };
  } catch (err) {
    if (encoder) disposeModel(encoder);
    disposeModel(decoder);
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
