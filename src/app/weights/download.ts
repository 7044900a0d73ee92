/** Handing a saved file (Save gives one .zip) to the browser as a download. */

/** A file to download. */
export interface DownloadFile {
  name: string;
  bytes: Uint8Array;
}

/** Starts one download per file through a link with a `download` name (Save hands over one file). */
export async function downloadFiles(files: readonly DownloadFile[]): Promise<void> {
  for (const file of files) {
    const type = file.name.endsWith('.zip') ? 'application/zip' : file.name.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    const url = URL.createObjectURL(new Blob([file.bytes as BlobPart], { type }));
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
