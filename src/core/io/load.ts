/**
 * Loading a VAE from a URL or any WeightsSource: a manifest and two LayersModels (Keras 2 or 3 exports
 * included), a decoder model.json alone, an encoder/decoder pair, a folder holding one of those, or a
 * PyTorch state dict (.safetensors). What the address points at is decided in locate.ts.
 */
import type * as tf from '../tf';
import '../model/sampling-layer'; // registers the Keras `Sampling` layer before any topology is read
import { buildModel, disposeModel, parseModelJson, readJson, readWeights, type ModelFile, type Part, type WeightBytes } from './artifacts';
import { archiveSource, isArchiveName, openArchive } from './archive';
import { locate, pairPlan, type LayersPlan } from './locate';
import { MANIFEST_FORMAT, MANIFEST_VERSION, WeightsError, type VaeManifest } from './manifest';
import { isObject } from './manifest-fields';
import { encoderGivenAsDecoder, nestedVae, type NestedPart } from './nested';
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
  const source = urlSource(opts.fetchImpl, opts.limits);
  if (encoder === undefined && isArchiveName(new URL(absolute).pathname)) return loadArchiveFromUrl(source, absolute, opts);
  return loadModelFromSource(source, absolute, { ...opts, encoder });
}

/** A `.zip` saved by this app, at a URL: downloaded whole (its progress is the load's), then opened as a picked one is. */
async function loadArchiveFromUrl(source: WeightsSource, url: string, opts: LoadOptions): Promise<LoadedModel> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  let got = 0;
  const onBytes = (n: number) => {
    got += n;
    opts.onProgress?.(Math.min(0.5, got / maxBytes)); // the size is unknown until it is in; building takes the rest
  };
  const bytes = await source.read(url, { maxBytes, signal: opts.signal, onBytes });
  checkCancelled(opts.signal, url);
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? 'model.zip');
  const opened = openArchive(bytes, name, maxBytes);
  return loadModelFromSource(archiveSource(opened.files, name), opened.entry, opts);
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
  const modelJson = async (part: Part, location: string) => plan.read.get(location) ?? (await readJson(source, location, `the ${part}'s model.json`, read));
  const [encoderJson, decoderJson] = await Promise.all([plan.encoder ? modelJson('encoder', plan.encoder) : null, modelJson('decoder', plan.decoder)]);
  const files: Partial<Record<Part, ModelFile>> = {};
  const whole = plan.encoder ? null : wholeVaeFiles(decoderJson, plan.decoder);
  if (whole) {
    Object.assign(files, whole);
  } else {
    const topology = isObject(decoderJson) ? decoderJson.modelTopology : null;
    const encoderAlone = plan.encoder ? null : encoderGivenAsDecoder(topology, showLocation(plan.decoder));
    if (encoderAlone) throw new WeightsError(encoderAlone);
    if (plan.encoder) files.encoder = prepareModelFile(parseModelJson(encoderJson, plan.encoder, 'encoder'), 'encoder');
    files.decoder = prepareModelFile(parseModelJson(decoderJson, plan.decoder, 'decoder'), 'decoder');
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
  } catch (err) {
    if (encoder) disposeModel(encoder);
    throw err;
  }
  const manifest = plan.manifest ?? (encoder ? madeUpManifest(plan, decoder) : null);
  const encoderAt = plan.encoder ? showLocation(plan.encoder) : whole ? `${showLocation(plan.decoder)} (its encoder)` : undefined;
  return validated(manifest, encoder, decoder, opts, { encoder: encoderAt, decoder: whole ? `${showLocation(plan.decoder)} (its decoder)` : showLocation(plan.decoder) });
}

/**
 * The encoder and decoder of a whole VAE in one model.json (nested.ts), each prepared as if exported
 * alone: the weights of the other model are skipped. Null when `json` is not one.
 */
function wholeVaeFiles(json: unknown, location: string): Record<Part, ModelFile> | null {
  const parts = isObject(json) ? nestedVae(json.modelTopology) : null;
  if (!parts) return null;
  const file = (part: Part, own: NestedPart, other: NestedPart): ModelFile => {
    const prepared = prepareModelFile(parseModelJson({ ...(json as object), modelTopology: own.topology }, location, part), part);
    return { ...prepared, dropped: new Set([...(prepared.dropped ?? []), ...other.layerNames]) };
  };
  return { encoder: file('encoder', parts.encoder, parts.decoder), decoder: file('decoder', parts.decoder, parts.encoder) };
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
