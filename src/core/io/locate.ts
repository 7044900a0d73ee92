/**
 * What a pasted address points at, decided before anything is built: a manifest (`vae.json`), a
 * decoder `model.json` alone, an encoder/decoder pair of `model.json` files, a PyTorch state dict
 * (`.safetensors`, with a `vae-torch.json` description or a manifest naming it), or a folder holding
 * one of those layouts (looked for in the order of FOLDER_LAYOUTS).
 */
import { readJson } from './artifacts';
import { isObject } from './manifest-fields';
import { MissingFileError, parseManifest, WeightsError, type VaeManifest } from './manifest';
import { showLocation } from './quote';
import type { ReadOptions, WeightsSource } from './source';

/** A model of two tfjs LayersModels (or a decoder alone); the JSON already read is passed along. */
export interface LayersPlan {
  kind: 'layers';
  manifest: VaeManifest | null;
  encoder: string | null;
  decoder: string;
  /** JSON already read, by location. */
  read: Map<string, unknown>;
}

/** A PyTorch state dict and whatever describes it. */
export interface TorchPlan {
  kind: 'torch';
  /** The manifest naming the file, or null. */
  manifest: VaeManifest | null;
  /** A `vae-torch.json` description (as read), or null. */
  description: Record<string, unknown> | null;
  /** The `.safetensors` file. */
  weights: string;
  /** Its bytes, when they were read already (a folder's probe). */
  bytes?: Uint8Array;
}

/** What to load. */
export type LoadPlan = LayersPlan | TorchPlan;

/** What a folder may hold, in the order they are looked for. */
export const FOLDER_LAYOUTS = ['vae.json', 'vae-torch.json', 'decoder/model.json', 'model.json', 'vae.safetensors', 'model.safetensors'] as const;

/** The path part of a location (a URL's pathname, or the location itself). */
function pathOf(location: string): string {
  try {
    return new URL(location).pathname;
  } catch {
    return location;
  }
}

const isSafetensors = (location: string) => /\.safetensors$/i.test(pathOf(location));
/** A location whose last part has no file extension (or that ends in "/") is taken for a folder. */
const isFolder = (location: string) => /\/$/.test(pathOf(location)) || !/\.[A-Za-z0-9]{1,12}$/.test(pathOf(location).split('/').pop() ?? '');

/** A PyTorch description (`vae-torch.json`, written beside the weights by a training script). */
const isTorchDescription = (json: unknown): json is Record<string, unknown> => isObject(json) && json.framework === 'pytorch';

/** The plan for an encoder=/decoder= pair of model.json locations. */
export function pairPlan(encoder: string, decoder: string): LoadPlan {
  return { kind: 'layers', manifest: null, encoder, decoder, read: new Map() };
}

/** The plan for JSON read at `location`. */
function planForJson(json: unknown, location: string, source: WeightsSource): LoadPlan {
  if (isObject(json) && 'modelTopology' in json) {
    return { kind: 'layers', manifest: null, encoder: null, decoder: location, read: new Map([[location, json]]) };
  }
  if (isTorchDescription(json)) {
    const named = typeof json.safetensors === 'string' ? json.safetensors : 'vae.safetensors';
    return { kind: 'torch', manifest: null, description: json, weights: source.resolve(named, location) };
  }
  const manifest = parseManifest(json, location);
  if (manifest.safetensors) return { kind: 'torch', manifest, description: null, weights: source.resolve(manifest.safetensors, location) };
  const resolve = (path: string | undefined) => (path === undefined ? null : source.resolve(path, location));
  return { kind: 'layers', manifest, encoder: resolve(manifest.encoder), decoder: resolve(manifest.decoder) as string, read: new Map() };
}

/** Reads the JSON at `location`, or null when the file is not there. */
async function readIfThere(source: WeightsSource, location: string, what: string, read: ReadOptions): Promise<unknown> {
  try {
    return await readJson(source, location, what, read);
  } catch (err) {
    if (err instanceof MissingFileError) return null;
    throw err;
  }
}

/** The bytes of a file, or null when it is not there. */
async function bytesIfThere(source: WeightsSource, location: string, read: ReadOptions): Promise<Uint8Array | null> {
  try {
    return await source.read(location, read);
  } catch (err) {
    if (err instanceof MissingFileError) return null;
    throw err;
  }
}

/** The plan for a folder: the first of FOLDER_LAYOUTS it holds. */
async function planForFolder(source: WeightsSource, folder: string, read: ReadOptions): Promise<LoadPlan> {
  const base = folder.endsWith('/') ? folder : `${folder}/`;
  const at = (path: string) => source.resolve(path, base);
  for (const name of ['vae.json', 'vae-torch.json']) {
    const json = await readIfThere(source, at(name), name === 'vae.json' ? 'a model manifest' : 'a PyTorch description', read);
    if (json !== null) return planForJson(json, at(name), source);
  }
  const decoder = await readIfThere(source, at('decoder/model.json'), "the decoder's model.json", read);
  if (decoder !== null) {
    const encoder = await readIfThere(source, at('encoder/model.json'), "the encoder's model.json", read);
    const files = new Map<string, unknown>([[at('decoder/model.json'), decoder]]);
    if (encoder !== null) files.set(at('encoder/model.json'), encoder);
    return { kind: 'layers', manifest: null, encoder: encoder === null ? null : at('encoder/model.json'), decoder: at('decoder/model.json'), read: files };
  }
  const alone = await readIfThere(source, at('model.json'), 'a decoder model.json', read);
  if (alone !== null) return planForJson(alone, at('model.json'), source);
  for (const name of ['vae.safetensors', 'model.safetensors']) {
    const bytes = await bytesIfThere(source, at(name), read);
    if (bytes !== null) return { kind: 'torch', manifest: null, description: null, weights: at(name), bytes };
  }
  throw new WeightsError(`Found no model at ${showLocation(folder)}: looked there for ${FOLDER_LAYOUTS.join(', ')} (see docs/loading-models.md for the layouts).`);
}

/**
 * Decides what `entry` is (see the module comment) and reads what that takes; a `.safetensors`
 * address takes the `vae-torch.json` beside it, or a `vae.json` beside it that names it, when there
 * is one. Throws WeightsError.
 */
export async function locate(source: WeightsSource, entry: string, read: ReadOptions): Promise<LoadPlan> {
  if (isSafetensors(entry)) {
    const description = await readIfThere(source, source.resolve('vae-torch.json', entry), 'a PyTorch description', read);
    if (isTorchDescription(description)) return { kind: 'torch', manifest: null, description, weights: entry };
    // A vae.json beside it that names this file brings its layer list.
    const at = source.resolve('vae.json', entry);
    const json = await readIfThere(source, at, 'a model manifest', read);
    const manifest = isObject(json) && typeof json.safetensors === 'string' && source.resolve(json.safetensors, at) === entry ? parseManifest(json, at) : null;
    return { kind: 'torch', manifest, description: null, weights: entry };
  }
  if (isFolder(entry)) return planForFolder(source, entry, read);
  return planForJson(await readJson(source, entry, 'a model manifest', read), entry, source);
}
