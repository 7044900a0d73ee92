/** The worker's side of loading and saving: fetch a model from a ModelSource (a .zip unpacked here), write the current one as one .zip. */
import type { ImageDataset } from '../core/data/dataset';
import { archiveSource, isArchiveName, openArchive, writeArchive } from '../core/io/archive';
import { folderSink, safeBaseName, saveLoadedModel, type SavedFile } from '../core/io/files';
import { DEFAULT_MAX_BYTES, loadModelFromSource, loadModelFromUrl, memorySource, type LoadedModel } from '../core/io/load';
import type { TrainingSummary } from '../core/io/manifest';
import { stepsFromFirst } from '../core/io/manifest-fields';
import type { DownloadLimits } from '../core/net/download';
import { saveVae } from '../core/io/save';
import { evaluateElbo } from '../core/model/evaluate';
import type { Origin, ActiveModel } from './model';
import type { ModelSource } from './protocol';

/**
 * Fetches and validates a model completely (nothing else is touched); the LayersModels are built
 * only once `buildAfter` has settled (the backend). `signal` cancels it; downloads run under
 * `limits` (core/net's defaults unless told). Throws WeightsError in plain words.
 */
export function fetchModel(
  source: ModelSource,
  onProgress: (fraction: number) => void,
  buildAfter?: Promise<unknown>,
  signal?: AbortSignal,
  limits?: Partial<DownloadLimits>,
): Promise<LoadedModel> {
  if (source.kind === 'url') return loadModelFromUrl(source.url, { onProgress, buildAfter, signal, limits, encoder: source.encoder });
  const files = new Map(source.files.map((f) => [f.name, new Uint8Array(f.bytes)] as const));
  const zip = isArchiveName(source.entry) ? files.get(source.entry) : undefined;
  if (zip) {
    return Promise.resolve().then(() => {
      const opened = openArchive(zip, source.entry, DEFAULT_MAX_BYTES);
      return loadModelFromSource(archiveSource(opened.files, source.entry), opened.entry, { onProgress, buildAfter, signal });
    });
  }
  return loadModelFromSource(memorySource(files), source.entry, { onProgress, buildAfter, signal });
}

/** How a source is named to people, and its URL if it has one. */
export function originOf(source: ModelSource): Origin {
  if (source.kind === 'url' && source.encoder) return { label: source.label ?? `${source.encoder} with ${source.url}`, url: source.url, encoderUrl: source.encoder };
  if (source.kind === 'url') return { label: source.label ?? source.url, url: source.url };
  return { label: source.label, url: null };
}

/** What saving needs besides the model. */
export interface SaveContext {
  /** The test split, to measure the ELBO of a model trained here (null while loading). */
  test: ImageDataset | null;
  /** Name of the dataset trained on. */
  datasetName: string | null;
  /** The tfjs backend, e.g. "wasm". */
  backend: string;
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/** The training summary of a model trained here: the loaded one's plus this session, with a fresh test ELBO. */
async function summaryOf(model: ActiveModel, ctx: SaveContext): Promise<{ training: TrainingSummary; dataset: string }> {
  const base = model.info.training;
  const session = model.session;
  const steps = session?.step ?? 0;
  if (base && steps === 0) return { training: { ...base }, dataset: model.info.dataset ?? ctx.datasetName ?? 'mnist' };
  const vae = model.trainableVae;
  if (!vae || !ctx.test) throw new Error('The test set is still loading; save again in a moment (the saved file records the test loss).');
  const elbo = await evaluateElbo(vae, ctx.test);
  const training: TrainingSummary = {
    epochs: (base?.epochs ?? 0) + (session?.epoch ?? 0),
    testElbo: round2(-elbo.total),
    testReconstruction: round2(elbo.reconstruction),
    testKl: round2(elbo.kl),
    steps: stepsFromFirst(base, steps),
    backend: `tfjs-${ctx.backend}`,
    date: new Date().toISOString(),
  };
  return { training, dataset: ctx.datasetName ?? 'mnist' };
}

/**
 * The current model as one file, `<name>.zip`, holding the weights format's folder `<name>/` (see
 * core/io/archive.ts); a decoder loaded alone holds `decoder/` only.
 */
export async function modelFiles(model: ActiveModel, name: string, ctx: SaveContext): Promise<SavedFile[]> {
  const sink = folderSink();
  const vae = model.trainableVae;
  if (vae) {
    const { training, dataset } = await summaryOf(model, ctx);
    await saveVae(vae, sink, { dataset, training });
  } else if (model.foreign) {
    await saveLoadedModel(model.foreign, sink);
  }
  const folder = safeBaseName(name);
  return [{ name: `${folder}.zip`, bytes: writeArchive(sink.files, folder) }];
}
