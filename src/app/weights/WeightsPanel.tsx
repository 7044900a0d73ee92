/**
 * The Weights group of the controls: where the current model came from, loading from a URL, from
 * picked files or from files dropped anywhere on the page, saving as one .zip (a download) and in this
 * browser's storage under a name. Every text that comes from a model file is rendered as React text, never as HTML.
 */
import { useCallback, useEffect, useId, useMemo, useState, type CSSProperties } from 'react';
import { isArchiveName, manifestInArchive } from '../../core/io/archive';
import { safeBaseName } from '../../core/io/names';
import type { VaeConfig } from '../../core/model/config';
import { stepsFromFirst, type TrainingSummary } from '../../core/io/manifest-fields';
import type { KeptModel, ModelInfo, ModelSource } from '../../worker/protocol';
import type { ModelFile, Training } from '../hooks/training-types';
import { bundledModelUrl } from './bundled';
import { downloadFiles } from './download';
import { useFileDrop } from './dropped';
import { browserModelStore, type ModelStore, type StoredSummary } from './model-store';
import { sourceFromPicked, type PickedFile } from './picked-files';

/** Props of `WeightsPanel`. */
export interface WeightsPanelProps {
  training: Pick<Training, 'model' | 'status' | 'phase' | 'loadProgress' | 'load' | 'cancelLoad' | 'save' | 'showError'> &
    Partial<Pick<Training, 'testSet' | 'replaced' | 'clearReplaced'>>;
  /** The app's current config: a loaded model of this app's format trains with its training settings. */
  config: () => VaeConfig;
  /** Where "Save in browser" goes (IndexedDB unless told). */
  store?: ModelStore;
  /** Starts downloads (tests replace it). */
  download?: (files: ModelFile[]) => Promise<void>;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/**
 * How long a model was trained: "30 epochs (14,070 steps)"; "300 steps" for a run shorter than one
 * epoch (its epochs count 0); "30 epochs" where the file records no steps.
 */
function trainedFor(t: TrainingSummary): string {
  if (!t.steps) return plural(t.epochs, 'epoch');
  return t.epochs === 0 ? plural(t.steps, 'step') : `${plural(t.epochs, 'epoch')} (${plural(t.steps, 'step')})`;
}

/** "Model: the bundled model — mnist, 30 epochs, test loss 140.35 nats per digit (+ 120 steps here)". */
export function ModelInfoLine({ model, steps }: { model: ModelInfo | null; steps: number }) {
  if (!model) return <p className="model-info">Model: loading…</p>;
  const t = model.training;
  const parts: string[] = [];
  if (model.dataset) parts.push(model.dataset);
  if (t) parts.push(trainedFor(t));
  if (t?.testElbo !== undefined) parts.push(`test loss ${(-t.testElbo).toFixed(2)} nats per digit`);
  if (model.noLogVar) parts.push('mean-only encoder: no σ, KL or test ELBO');
  if (!model.hasEncoder) parts.push('decoder only');
  else if (!model.trainable) parts.push('explore only');
  return (
    <p className="model-info" data-testid="model-info" title={model.noLogVar ?? (t?.command ? `Trained with: ${t.command}` : undefined)}>
      Model: <span className="model-origin">{model.origin}</span>
      {parts.length > 0 ? ` — ${parts.join(', ')}` : null}
      {steps > 0 ? ` (+ ${steps} step${steps === 1 ? '' : 's'} trained here)` : null}
    </p>
  );
}

/**
 * A short name for saved files: "mnist-2d", or with `steps` trained here "mnist-2d-step23570", the
 * steps counted from the model's first (those its file records, plus these); `dataset`: what a model
 * with no dataset of its own trains on.
 */
function defaultName(model: ModelInfo | null, steps: number, dataset?: string): string {
  const base = `${model?.dataset ?? dataset ?? 'vae'}-${model?.latentDim ?? 2}d`;
  return safeBaseName(steps > 0 ? `${base}-step${stepsFromFirst(model?.training, steps)}` : base);
}

/**
 * The address meant when `text` starts with a host but no scheme ("www.example.com/vae.json",
 * "localhost:5173/models/…"), which the browser would read as a path on this site; null otherwise.
 */
export function hostWithoutScheme(text: string): string | null {
  const m = /^(localhost|\d{1,3}(?:\.\d{1,3}){3}|(?:[a-z0-9-]+\.)+[a-z]{2,})(:\d+)?(\/.*)?$/i.exec(text);
  if (!m) return null;
  const [, name, port, path] = m;
  if (!port && !path) return null; // "vae.json" alone is a file here, not a host
  const local = /^(localhost|127\.|\d{1,3}(\.\d{1,3}){3}$)/i.test(name);
  return `${local ? 'http' : 'https'}://${text}`;
}

/** `name`, or `name (2)`, `name (3)`… : the first that no model in `taken` has. */
export function freeName(name: string, taken: { name: string }[]): string {
  const names = new Set(taken.map((t) => t.name));
  let candidate = name;
  for (let n = 2; names.has(candidate); n++) candidate = `${name} (${n})`;
  return candidate;
}

/** The manifest's bytes among saved files: a loose `.vae.json`, or the one inside a .zip; null for a decoder alone. */
function manifestOf(files: ModelFile[]): Uint8Array | null {
  const zip = files.find((f) => isArchiveName(f.name));
  return zip ? manifestInArchive(zip.bytes) : (files.find((f) => f.name.endsWith('.vae.json'))?.bytes ?? null);
}

/** A one-line description of saved files, from their manifest. */
function describe(files: ModelFile[], latentDim: number | undefined): string {
  const manifest = manifestOf(files);
  let loss = '';
  try {
    const elbo = manifest ? (JSON.parse(new TextDecoder().decode(manifest)) as { training?: { testElbo?: unknown } }).training?.testElbo : undefined;
    if (typeof elbo === 'number') loss = `, test loss ${(-elbo).toFixed(2)}`;
  } catch {
    // no description of the loss then
  }
  return `${latentDim ?? '?'}-D latent${manifest ? '' : ', decoder only'}${loss}`;
}

/** The hint over the page while files are dragged over it (inline: the page's policy allows inline styles). */
const DROP_HINT: CSSProperties = {
  position: 'fixed', inset: 12, zIndex: 1000, display: 'flex', alignItems: 'center', justifyContent: 'center', pointerEvents: 'none',
  border: '3px dashed var(--accent)', borderRadius: 12, background: 'rgba(244, 245, 247, 0.85)', fontSize: 18, color: 'var(--ink)',
};

/** The weights controls. */
export function WeightsPanel({ training, config, store: givenStore, download = downloadFiles }: WeightsPanelProps) {
  const { model, status, phase, loadProgress, load, cancelLoad, save, showError } = training;
  const dataset = training.testSet?.datasetName;
  const store = useMemo(() => givenStore ?? browserModelStore(), [givenStore]);
  const [url, setUrl] = useState('');
  const [storeName, setStoreName] = useState('');
  const [stored, setStored] = useState<StoredSummary[]>([]);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  /** The browser save the current model was opened from: saving in the browser again updates it. */
  const [openedAs, setOpenedAs] = useState<{ name: string; generation: number } | null>(null);
  const ids = { url: useId(), name: useId(), files: useId(), folder: useId() };
  const steps = status?.generation === model?.generation ? (status?.step ?? 0) : 0;
  const storeDefault = openedAs && openedAs.generation === model?.generation ? openedAs.name : defaultName(model, steps, dataset);

  const refreshList = useCallback(() => {
    store.list().then(setStored, () => setStored([]));
  }, [store]);
  useEffect(refreshList, [refreshList]);
  const modelUrl = model?.url ?? null;
  useEffect(() => {
    if (modelUrl && modelUrl !== bundledModelUrl()) setUrl(modelUrl); // the field shows the address the current model came from
  }, [modelUrl]);

  /** Runs one load or save at a time; failures go to the error banner. */
  const run = async (task: () => Promise<string | null>) => {
    if (busy) return;
    setBusy(true);
    setNote('');
    try {
      const done = await task();
      if (done) {
        showError(null);
        setNote(done);
      }
    } catch (err) {
      showError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  /** Puts saved files in this browser's storage under `name` (replacing a model of that name). */
  const storeFiles = async (name: string, files: ModelFile[], latentDim: number | undefined) => {
    const entry = (files.find((f) => isArchiveName(f.name)) ?? files.find((f) => f.name.endsWith('.vae.json')) ?? files[0]).name;
    const bytes = files.reduce((sum, f) => sum + f.bytes.byteLength, 0);
    const record = { name, savedAt: new Date().toISOString(), bytes, description: describe(files, latentDim), entry, files: files.map((f) => ({ name: f.name, bytes: f.bytes.slice().buffer })) };
    await store.put(record);
    refreshList();
  };

  /** Keeps a model that a load replaced in this browser's storage; a sentence saying where, or why not. */
  const keep = async (kept: KeptModel): Promise<string> => {
    const trained = plural(kept.steps, 'training step');
    const name = freeName(kept.files[0].name.replace(/\.zip$/, ''), await store.list().catch(() => stored));
    try {
      await storeFiles(name, kept.files, kept.latentDim);
      return ` The model it replaced (${trained} here) is kept in this browser as "${name}"; its Open button brings it back.`;
    } catch (err) {
      await download(kept.files).catch(() => undefined);
      return ` The model it replaced (${trained} here) could not be kept in this browser (${messageOf(err).replace(/\.$/, '')}), so it was downloaded as ${kept.files[0].name}.`;
    }
  };

  /** Loads `source`; `storedAs`: the name of the browser save it is. */
  // The address's model (loaded in the background) replaced one trained here: keep that one too.
  const { replaced, clearReplaced } = training;
  useEffect(() => {
    if (!replaced) return;
    clearReplaced?.();
    void keep(replaced.kept).then((sentence) => setNote(`Loaded ${replaced.info.origin}.${sentence}`));
    // `keep` is remade each render and is left out of the deps: the replaced model is what matters
  }, [replaced, clearReplaced]);

  const loadSource = async (source: ModelSource, storedAs?: string) => {
    const result = await load(source, config(), defaultName(model, 0, dataset));
    if (!result) return null;
    setOpenedAs(storedAs ? { name: storedAs, generation: result.info.generation } : null);
    return `Loaded ${result.info.origin}.${result.kept ? await keep(result.kept) : ''}`;
  };

  const loadUrl = () =>
    run(async () => {
      const text = url.trim();
      if (!text) throw new Error('Type the address of a model manifest (vae.json) or of a decoder model.json first.');
      let absolute: URL | null = null;
      try {
        absolute = new URL(text, document.baseURI);
      } catch {
        // not even a relative address
      }
      // A relative address is a path (a slash or a file name with a dot): "not a url" is no address at all.
      if (!absolute || (!/^[a-z][a-z0-9+.-]*:/i.test(text) && !/[/.]/.test(text))) {
        throw new Error(`"${text.slice(0, 200)}" is not a web address; type one such as https://example.com/models/vae.json, or a path on this site such as /models/mnist-2d/vae.json.`);
      }
      const host = hostWithoutScheme(text);
      if (host) throw new Error(`"${text.slice(0, 200)}" has no http:// or https:// in front; did you mean ${host}?`);
      if (absolute.protocol !== 'http:' && absolute.protocol !== 'https:') throw new Error('Only http and https addresses can be loaded.');
      return loadSource({ kind: 'url', url: absolute.href });
    });

  const loadPicked = (input: HTMLInputElement) => {
    const picked = Array.from(input.files ?? []) as PickedFile[];
    input.value = ''; // the same files can be picked again
    if (picked.length > 0) void run(async () => loadSource(await sourceFromPicked(picked)));
  };

  const saveFiles = () =>
    run(async () => {
      const files = await save(defaultName(model, steps, dataset));
      if (!files) return null;
      await download(files);
      return `Saved ${files.map((f) => f.name).join(', ')}. To open it again, choose it with Open files… or drop it on the page.`;
    });

  const saveStored = () =>
    run(async () => {
      const name = storeName.trim() || storeDefault;
      const replacing = stored.some((s) => s.name === name);
      const files = await save(name);
      if (!files) return null;
      await storeFiles(name, files, model?.latentDim);
      return `${replacing ? 'Replaced' : 'Saved'} "${name}" in this browser.`;
    });

  const loadStored = (name: string) =>
    run(async () => {
      const record = await store.get(name);
      if (!record) throw new Error(`No model named "${name}" is saved in this browser any more.`);
      return loadSource({ kind: 'files', label: `"${name}" from this browser's storage`, entry: record.entry, files: record.files }, name);
    });

  const removeStored = (name: string) =>
    run(async () => {
      await store.remove(name);
      refreshList();
      return `Deleted "${name}" from this browser.`;
    });

  const cancel = () => {
    cancelLoad();
    setNote('Loading was cancelled; the current model stays.');
  };

  const ready = model !== null && phase !== 'failed';
  /** One load at a time: while one runs (from this panel or the address's ?model=) only Cancel stops it. */
  const loading = loadProgress !== null;
  const canOpen = !busy && !loading && ready;

  const dragging = useFileDrop((files) => {
    if (!canOpen) {
      files.catch(() => undefined); // not read: nothing to report about it
      showError(loading || busy ? 'A model is still loading; drop the files again once it has loaded.' : 'The app is not ready to open a model yet.');
      return;
    }
    void run(async () => loadSource(await sourceFromPicked(await files)));
  });
  return (
    <fieldset className="weights">
      <legend>Weights</legend>
      <ModelInfoLine model={model} steps={steps} />
      <div className="field" title="The address of a model manifest (vae.json) or of a decoder model.json; other servers must allow cross-origin requests (CORS)">
        <label htmlFor={ids.url}>Weights URL</label>
        <div className="weights-row">
          <input id={ids.url} type="url" data-testid="weights-url" placeholder="https://…/vae.json" value={url} onChange={(e) => setUrl(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && void loadUrl()} />
          <button type="button" data-testid="load-weights" disabled={!canOpen} onClick={() => void loadUrl()}>
            Load
          </button>
        </div>
      </div>
      {loading ? (
        <div className="weights-row">
          <progress className="weights-progress" max={1} value={loadProgress} aria-label="weights download" />
          <button type="button" data-testid="cancel-load" onClick={cancel} title="Stop this download; the current model stays">
            Cancel
          </button>
        </div>
      ) : null}
      <div className="weights-row" role="group" aria-label="Weights files">
        <button type="button" data-testid="save-weights" disabled={busy || !ready} onClick={() => void saveFiles()} title="Download the current model as one .zip: a folder holding vae.json, encoder/ and decoder/">
          Save .zip
        </button>
        {/* Formats the app cannot read are listed too, so that picking one gets the sentence saying what to export instead. */}
        <input id={ids.files} className="visually-hidden" type="file" multiple accept=".zip,.json,.bin,.safetensors,.h5,.hdf5,.keras,.pt,.pth,.ckpt,.onnx" data-testid="weights-files" disabled={!canOpen} onChange={(e) => loadPicked(e.currentTarget)} />
        <label className={`file-button${canOpen ? '' : ' disabled'}`} htmlFor={ids.files} title="Choose a saved model's .zip, or the files of one model together (a vae.json with its model.json and .bin files); you can also drop them on the page">
          Open files…
        </label>
        <input id={ids.folder} className="visually-hidden" type="file" ref={(el) => el?.setAttribute('webkitdirectory', '')} data-testid="weights-folder" disabled={!canOpen} onChange={(e) => loadPicked(e.currentTarget)} />
        <label className={`file-button${canOpen ? '' : ' disabled'}`} htmlFor={ids.folder} title="Choose a folder holding vae.json, encoder/ and decoder/ (the layout of public/models and of npm run train --out)">
          Open folder…
        </label>
      </div>
      <div className="field" title="Keep the current model in this browser (IndexedDB) under a name">
        <label htmlFor={ids.name}>Name in browser storage</label>
        <div className="weights-row">
          <input id={ids.name} className="store-name" type="text" placeholder={storeDefault} value={storeName} maxLength={80} onChange={(e) => setStoreName(e.target.value)} />
          <button type="button" data-testid="store-weights" disabled={busy || !ready} onClick={() => void saveStored()}>
            Save in browser
          </button>
        </div>
      </div>
      {stored.length > 0 ? (
        <ul className="stored-models" aria-label="Models saved in this browser">
          {stored.map((s) => (
            <li key={s.name}>
              <span className="stored-name" title={`${s.description}; saved ${new Date(s.savedAt).toLocaleString()}`}>
                {s.name}
              </span>
              <button type="button" disabled={!canOpen} onClick={() => void loadStored(s.name)} aria-label={`Open ${s.name}`}>
                Open
              </button>
              <button type="button" disabled={busy} onClick={() => void removeStored(s.name)} aria-label={`Delete ${s.name}`}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <p className="weights-note" aria-live="polite">
        {note}
      </p>
      {dragging ? (
        <div style={DROP_HINT} aria-hidden="true" data-testid="drop-hint">
          Drop a saved model to open it: its .zip, its files or its folder
        </div>
      ) : null}
    </fieldset>
  );
}
