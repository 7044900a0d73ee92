/**
 * A saved model as one `.zip`: the folder layout of docs/weights-format.md (`vae.json`, `encoder/`,
 * `decoder/`) under one top folder, so unzipping it gives a folder that loads. Reading takes any zip
 * holding such a folder (or the files at its root, or a decoder model.json alone) and hands its files
 * to the same loader picked files go through. No DOM and no tfjs here: the worker and the page both use it.
 */
import { unzipSync, zipSync, type UnzipFileInfo, type Zippable } from 'fflate';
import { formatBytes } from '../net/download';
import { WeightsError } from './manifest';
import { showLocation } from './quote';
import { joinRelative, memorySource, type WeightsSource } from './source';

/** One file of a model, named by its path inside the model's folder ("encoder/model.json"). */
export interface ArchiveFile {
  name: string;
  bytes: Uint8Array;
}

/** A model's files read out of an archive, and which of them to load first. */
export interface OpenedArchive {
  /** Paths inside the model's folder ("vae.json", "encoder/model.json"), the zip's top folder taken off. */
  files: Map<string, Uint8Array>;
  /** The manifest, else the lone model.json or state dict: see `findEntry`. */
  entry: string;
}

/** True for a file name that says zip archive. */
export const isArchiveName = (name: string): boolean => /\.zip$/i.test(name);

/** True when `bytes` start as a zip does: a file's local header, or an empty archive's end record. */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/**
 * The model's files as one zip, each under `folder/`. Weight shards are stored as they are (float32
 * weights barely deflate, and slowly), the JSON files deflated.
 */
export function writeArchive(files: readonly ArchiveFile[], folder: string): Uint8Array {
  const entries: Zippable = {};
  for (const f of files) entries[`${folder}/${f.name}`] = [f.bytes, { level: f.name.endsWith('.json') ? 6 : 0 }];
  return zipSync(entries);
}

/** A name without the " (1)" a browser adds when a download of the same name exists: "a.vae (1).json" -> "a.vae.json". */
export function withoutCopyNumber(path: string): string {
  return path.replace(/ \(\d+\)(?=(\.[^./]*)?$)/, '');
}

/**
 * The file to load first among a model's paths: the manifest (a name ending in vae.json; the shallowest
 * when there are several in a tree), else a lone .json (a decoder model.json, a PyTorch description),
 * else a lone .safetensors. Throws a plain Error.
 */
export function findEntry(paths: readonly string[]): string {
  const manifests = paths.filter((p) => withoutCopyNumber(p).endsWith('vae.json'));
  if (manifests.length === 1) return manifests[0];
  if (manifests.length > 1) {
    const depth = (p: string) => p.split('/').length;
    const top = manifests.filter((p) => depth(p) === Math.min(...manifests.map(depth)));
    if (top.length === 1) return top[0];
    throw new Error(`Several manifests were chosen (${manifests.join(', ')}); choose the files of one model.`);
  }
  const json = paths.filter((p) => p.endsWith('.json'));
  if (json.length === 1) return json[0];
  const stateDicts = paths.filter((p) => /\.safetensors$/i.test(p));
  if (json.length === 0 && stateDicts.length === 1) return stateDicts[0];
  throw new Error("Choose the model's manifest (the file ending in vae.json) together with its other files, or a decoder model.json with its weights.");
}

/** Entries that are not the model's files: folders, and what macOS and Windows add to archives they make. */
const isJunk = (name: string) => name.endsWith('/') || /(^|\/)(__MACOSX\/|\._|\.DS_Store$|Thumbs\.db$)/.test(name);

/** Takes off the one folder every path starts with, when there is one: "my-model/vae.json" -> "vae.json". */
function withoutTopFolder(names: string[]): (name: string) => string {
  const tops = new Set(names.map((n) => (n.includes('/') ? n.slice(0, n.indexOf('/')) : '')));
  const [top] = tops;
  return tops.size === 1 && top ? (n) => n.slice(top.length + 1) : (n) => n;
}

/**
 * Reads the model out of the zip `bytes` named `name`: refuses what is not a zip, a damaged one, any file
 * in it over `maxBytes` unpacked and more than twice that in all, before unpacking; finds the entry.
 * Throws WeightsError in plain words.
 */
export function openArchive(bytes: Uint8Array, name: string, maxBytes: number): OpenedArchive {
  const shown = showLocation(name);
  if (!looksLikeZip(bytes)) throw new WeightsError(`${shown} is not a zip archive; open a .zip saved by this app, or the model's files or folder.`);
  let total = 0;
  const keep = (file: UnzipFileInfo) => {
    if (isJunk(file.name)) return false;
    if (file.originalSize > maxBytes) {
      throw new WeightsError(`${showLocation(file.name)} in ${shown} unpacks to ${formatBytes(file.originalSize)}, more than the ${formatBytes(maxBytes)} this app accepts.`);
    }
    total += file.originalSize;
    if (total > 2 * maxBytes) throw new WeightsError(`${shown} unpacks to more than ${formatBytes(2 * maxBytes)}, more than this app accepts.`);
    return true;
  };
  let unpacked: Record<string, Uint8Array>;
  try {
    unpacked = unzipSync(bytes, { filter: keep });
  } catch (err) {
    if (err instanceof WeightsError) throw err;
    throw new WeightsError(`${shown} could not be unpacked: it is damaged or uses a kind of zip this app does not read (${err instanceof Error ? err.message : String(err)}).`);
  }
  const names = Object.keys(unpacked);
  if (names.length === 0) throw new WeightsError(`${shown} holds no files.`);
  const inFolder = withoutTopFolder(names);
  const files = new Map(names.map((n) => [inFolder(n), unpacked[n]] as const));
  let entry: string;
  try {
    entry = findEntry([...files.keys()]);
  } catch {
    throw new WeightsError(`${shown} holds no model: no manifest (vae.json), and not a single model.json or .safetensors file.`);
  }
  return { files, entry };
}

/** The manifest (the one file ending in vae.json) inside the zip `bytes`, unpacking nothing else; null when there is none or it is not a zip. */
export function manifestInArchive(bytes: Uint8Array): Uint8Array | null {
  if (!looksLikeZip(bytes)) return null;
  try {
    const found = Object.values(unzipSync(bytes, { filter: (f) => !isJunk(f.name) && withoutCopyNumber(f.name).endsWith('vae.json') }));
    return found.length === 1 ? found[0] : null;
  } catch {
    return null;
  }
}

/** The files of an opened archive as a WeightsSource: a file the model names but the archive lacks is refused by name. */
export function archiveSource(files: ReadonlyMap<string, Uint8Array>, name: string): WeightsSource {
  const inner = memorySource(files);
  return {
    resolve: joinRelative,
    async read(location, options) {
      try {
        return await inner.read(location, options);
      } catch (err) {
        if (files.has(location) || !(err instanceof WeightsError)) throw err;
        const held = [...files.keys()].slice(0, 6).map((f) => showLocation(f, 60));
        // The same class as memorySource's error, so the loader still knows a missing file from a bad one.
        const SameKind = err.constructor as new (message: string) => WeightsError;
        throw new SameKind(`${showLocation(name)} has no file ${showLocation(location)} (it holds ${held.join(', ')}${files.size > 6 ? ', …' : ''}).`);
      }
    },
  };
}
