/**
 * Files the person picked (several at once, or a folder) as a ModelSource: names as the manifest
 * refers to them, the entry file found, sizes checked before anything is read.
 */
import { DEFAULT_MAX_BYTES, formatBytes } from '../../core/io/source';
import type { ModelSource } from '../../worker/protocol';

/** The part of a File this module reads (a fake in tests). */
export interface PickedFile {
  name: string;
  size: number;
  /** "folder/encoder/model.json" when picked as part of a folder, else "". */
  webkitRelativePath?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** The path a picked file has inside the model: its name, or its path below the picked folder. */
export function pathOf(file: PickedFile): string {
  const rel = file.webkitRelativePath ?? '';
  return rel.includes('/') ? rel.split('/').slice(1).join('/') : file.name;
}

/** A name without the " (1)" a browser adds when a download of the same name exists: "a.vae (1).json" -> "a.vae.json". */
export function withoutCopyNumber(path: string): string {
  return path.replace(/ \(\d+\)(?=(\.[^./]*)?$)/, '');
}

/** The manifest (a file ending in vae.json) among the paths, else a lone model.json; throws a plain Error. */
export function findEntry(paths: string[]): string {
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
  throw new Error('Choose the model\'s manifest (the file ending in vae.json) together with its other files, or a decoder model.json with its weights.');
}

/** Reads picked files into a `files` ModelSource; refuses any file over `maxBytes` before reading it. */
export async function sourceFromPicked(picked: readonly PickedFile[], maxBytes = DEFAULT_MAX_BYTES): Promise<ModelSource> {
  if (picked.length === 0) throw new Error('No files were chosen.');
  const big = picked.find((f) => f.size > maxBytes);
  if (big) throw new Error(`${big.name} is ${formatBytes(big.size)}, more than the ${formatBytes(maxBytes)} this app accepts.`);
  const paths = picked.map(pathOf);
  const entry = findEntry(paths);
  const files = await Promise.all(picked.map(async (f, i) => ({ name: paths[i], bytes: await f.arrayBuffer() })));
  // Also list each renamed download under its original name, so the manifest's references resolve.
  const taken = new Set(paths);
  for (const f of [...files]) {
    const plain = withoutCopyNumber(f.name);
    if (!taken.has(plain)) {
      taken.add(plain);
      files.push({ name: plain, bytes: f.bytes });
    }
  }
  const label = paths.length === 1 ? `the file ${paths[0]}` : `the files ${entry} and ${paths.length - 1} more`;
  return { kind: 'files', label, entry, files };
}
