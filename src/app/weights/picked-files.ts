/**
 * Files the person picked or dropped (several at once, a folder, or one .zip) as a ModelSource: names
 * as the manifest refers to them, the entry file found, sizes checked before anything is read. A zip
 * is unpacked where the model loads (the worker, core/io/archive.ts).
 */
import { findEntry, isArchiveName, withoutCopyNumber } from '../../core/io/archive';
import { unreadableModelFormat } from '../../core/io/formats';
import { DEFAULT_MAX_BYTES, formatBytes } from '../../core/io/source';
import type { ModelSource } from '../../worker/protocol';

export { findEntry, withoutCopyNumber } from '../../core/io/archive';

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

/**
 * Reads picked files into a `files` ModelSource; refuses any file over `maxBytes` before reading it.
 * When no file is a model's entry, a file of a format people export but a browser cannot read (a
 * Keras .h5, a torch.save checkpoint: core/io/formats.ts) is named with what to export instead.
 */
export async function sourceFromPicked(picked: readonly PickedFile[], maxBytes = DEFAULT_MAX_BYTES): Promise<ModelSource> {
  if (picked.length === 0) throw new Error('No files were chosen.');
  const big = picked.find((f) => f.size > maxBytes);
  if (big) throw new Error(`${big.name} is ${formatBytes(big.size)}, more than the ${formatBytes(maxBytes)} this app accepts.`);
  const paths = picked.map(pathOf);
  const archives = paths.filter(isArchiveName);
  if (archives.length > 0) {
    if (paths.length > 1) throw new Error(`Open ${archives[0]} on its own: a saved .zip holds the whole model.`);
    return { kind: 'files', label: `the file ${paths[0]}`, entry: paths[0], files: [{ name: paths[0], bytes: await picked[0].arrayBuffer() }] };
  }
  const files = await Promise.all(picked.map(async (f, i) => ({ name: paths[i], bytes: await f.arrayBuffer() })));
  let entry: string;
  try {
    entry = findEntry(paths);
  } catch (err) {
    const named = files.map((f) => unreadableModelFormat(new Uint8Array(f.bytes, 0, Math.min(16, f.bytes.byteLength)), f.name)).find((said) => said !== null);
    throw named ? new Error(named) : err;
  }
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
