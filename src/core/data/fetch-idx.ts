/** Fetching a dataset folder's IDX files, each as `<name>.gz` or `<name>`, and finding which names the folder uses. */
import { DownloadError, fetchBytes, isGzip, type ByteProgress, type DownloadLimits } from './fetch-bytes';
import { describeLookedFor, idxFileName, MNIST_NAMES, NAME_SCHEMES, type NameScheme } from './file-names';
import { readIdxHeader } from './idx';
import { MAX_IDX_DATA_BYTES } from './inflate-idx';

/** How the files are fetched. */
export interface FetchIdxOptions {
  /** Replacement for the global `fetch`. */
  fetchImpl?: typeof fetch;
  /** Aborts the download. */
  signal: AbortSignal;
  /** Other limits for a stalled or trickling server than core/net's defaults. */
  limits?: Partial<DownloadLimits>;
  /** The dataset URL's query (`?download=1`), kept on every file's URL; empty or absent for none. */
  query?: string;
}

/** What asking for one file gave: its bytes, nothing (404), or an answer that is neither IDX nor gzip. */
type Probe = { kind: 'found'; bytes: Uint8Array } | { kind: 'missing' } | { kind: 'other'; bytes: Uint8Array; url: string };

/** The folder's naming scheme and the test labels file found with it (the first file fetched). */
export interface FoundNames {
  scheme: NameScheme;
  testLabels: Uint8Array;
}

/**
 * Finds which names the folder at `base` uses, from its (small) test label file: MNIST's own first,
 * then every other scheme at once. Throws a DownloadError naming what it looked for when none is there.
 */
export async function findNames(base: string, onProgress: ByteProgress, options: FetchIdxOptions): Promise<FoundNames> {
  const first = await probe(base, idxFileName(MNIST_NAMES, 'testLabels'), onProgress, options);
  if (first.kind === 'found') return { scheme: MNIST_NAMES, testLabels: first.bytes };
  const others = NAME_SCHEMES.slice(1);
  const probes = await Promise.all(others.map((scheme) => probe(base, idxFileName(scheme, 'testLabels'), undefined, options)));
  const hit = probes.findIndex((p) => p.kind === 'found');
  if (hit >= 0) {
    onProgress(1, 1);
    return { scheme: others[hit], testLabels: (probes[hit] as { bytes: Uint8Array }).bytes };
  }
  const other = [first, ...probes].find((p): p is Extract<Probe, { kind: 'other' }> => p.kind === 'other');
  const where = base || 'the current folder';
  // An answer that is not IDX (a web page, a text) says most: it leads, and the list of names stays short.
  const message = other
    ? `No dataset found at ${where}: ${base ? explainNotIdx(other).replace(`${base}/`, 'its ') : explainNotIdx(other)}.`
    : `No dataset found at ${where}: it has no ${describeLookedFor()} (the server answered 404 Not Found).`;
  throw new DownloadError(message, base, 404);
}

/** Fetches `<base>/<name>.gz`, falling back to `<base>/<name>` when the .gz is missing or not IDX/gzip data. */
export async function fetchIdxFile(base: string, name: string, onProgress: ByteProgress, options: FetchIdxOptions): Promise<Uint8Array> {
  const found = await probe(base, name, onProgress, options);
  if (found.kind !== 'missing') return found.bytes; // an answer that is not IDX data: the parser explains it
  throw new DownloadError(
    `Could not download ${name} from ${base || 'the current folder'}: neither ${name}.gz nor ${name} exists there (the server answered 404 Not Found).`,
    base ? `${base}/${name}` : name,
    404,
  );
}

/** Asks for `<name>.gz`, then `<name>`; a server may gunzip on the fly, so plain IDX bytes under .gz count too. */
async function probe(base: string, name: string, onProgress: ByteProgress | undefined, options: FetchIdxOptions): Promise<Probe> {
  const url = base ? `${base}/${name}` : name;
  const query = options.query ?? '';
  let other: Probe | null = null;
  for (const candidate of [`${url}.gz${query}`, `${url}${query}`]) {
    try {
      const bytes = await fetchBytes(candidate, { ...options, onProgress, maxBytes: MAX_IDX_DATA_BYTES + 1024 });
      if (isGzip(bytes) || (bytes.length >= 2 && bytes[0] === 0 && bytes[1] === 0)) return { kind: 'found', bytes };
      other ??= { kind: 'other', bytes, url: candidate }; // e.g. a single-page-app server's index page
    } catch (err) {
      if (!(err instanceof DownloadError && (err.status === 404 || err.status === 410))) throw err;
    }
  }
  return other ?? { kind: 'missing' };
}

/** What an answer that is not IDX data looks like, in the parser's words. */
function explainNotIdx(answer: { bytes: Uint8Array; url: string }): string {
  try {
    readIdxHeader(answer.bytes, answer.url);
  } catch (err) {
    if (err instanceof Error) return err.message.replace(/\.$/, '');
  }
  return `${answer.url} is not an IDX file`;
}
