/**
 * Files dragged onto the page (`useFileDrop`) as PickedFiles: a saved .zip, loose files, or a folder (read through the
 * browser's file-system entries, so each file keeps its path below the folder, as "Open folder…" gives it).
 */
import { useEffect, useRef, useState } from 'react';
import type { PickedFile } from './picked-files';

/** True when a drag carries files (not text or a link from another page). */
export function carriesFiles(data: DataTransfer | null): boolean {
  return data !== null && Array.from(data.types).includes('Files');
}

const picked = (file: File, path = ''): PickedFile => ({
  name: file.name,
  size: file.size,
  webkitRelativePath: path,
  arrayBuffer: () => file.arrayBuffer(),
});

/** Every entry a folder holds (a reader hands them out in batches until one comes back empty). */
async function childrenOf(folder: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = folder.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** The files below `entry`, each with its path from the dropped folder ("my-model/encoder/model.json"). */
async function filesBelow(entry: FileSystemEntry): Promise<PickedFile[]> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    return [picked(file, entry.fullPath.replace(/^\//, ''))];
  }
  const children = await childrenOf(entry as FileSystemDirectoryEntry);
  return (await Promise.all(children.map(filesBelow))).flat();
}

/**
 * The files of a drop. Call it inside the drop event: the browser empties `data` once the event is
 * over (what it returns stays readable). A dropped folder is read entry by entry; plain files as they are.
 */
export function droppedFiles(data: DataTransfer): Promise<PickedFile[]> {
  const files = Array.from(data.files);
  const entries = Array.from(data.items)
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.() ?? null);
  if (!entries.some((e) => e?.isDirectory)) return Promise.resolve(files.map((f) => picked(f)));
  return Promise.all(entries.filter((e): e is FileSystemEntry => e !== null).map(filesBelow)).then((lists) => lists.flat());
}

/**
 * Listens for files dropped anywhere on the page and hands them to `onDrop` (the latest one given);
 * returns whether files are being dragged over the page now, for a hint.
 */
export function useFileDrop(onDrop: (files: Promise<PickedFile[]>) => void): boolean {
  const [dragging, setDragging] = useState(false);
  const latest = useRef(onDrop);
  latest.current = onDrop;
  useEffect(() => {
    let depth = 0; // dragenter and dragleave fire for every element crossed
    const enter = (e: DragEvent) => {
      if (!carriesFiles(e.dataTransfer)) return;
      depth += 1;
      setDragging(true);
    };
    const leave = (e: DragEvent) => {
      if (!carriesFiles(e.dataTransfer)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const over = (e: DragEvent) => {
      if (!e.dataTransfer || !carriesFiles(e.dataTransfer)) return;
      e.preventDefault(); // accept the drop (else the browser opens the file in place of the page)
      e.dataTransfer.dropEffect = 'copy';
    };
    const drop = (e: DragEvent) => {
      if (!e.dataTransfer || !carriesFiles(e.dataTransfer)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      latest.current(droppedFiles(e.dataTransfer)); // read inside the event: the browser empties it after
    };
    const events: [string, (e: DragEvent) => void][] = [['dragenter', enter], ['dragleave', leave], ['dragover', over], ['drop', drop]];
    for (const [type, listener] of events) window.addEventListener(type, listener as EventListener);
    return () => {
      for (const [type, listener] of events) window.removeEventListener(type, listener as EventListener);
    };
  }, []);
  return dragging;
}
