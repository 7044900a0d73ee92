/** Handing saved files to the browser as downloads, one after another. */

/** A file to download. */
export interface DownloadFile {
  name: string;
  bytes: Uint8Array;
}

/** Starts one download per file, a short pause apart (browsers drop downloads started in a burst). */
export async function downloadFiles(files: readonly DownloadFile[], gapMs = 250): Promise<void> {
  for (const [i, file] of files.entries()) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    const url = URL.createObjectURL(new Blob([file.bytes as BlobPart], { type: file.name.endsWith('.json') ? 'application/json' : 'application/octet-stream' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = file.name;
    link.rel = 'noopener';
    link.style.display = 'none';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}
