/**
 * Saved models in the browser's IndexedDB, under names the person chooses. A record holds exactly the
 * files a download would write (so storing and loading back go through the same loader as picked
 * files), plus a small summary for the list.
 */

/** What the list of saved models shows. */
export interface StoredSummary {
  name: string;
  /** ISO 8601 time of saving. */
  savedAt: string;
  /** Total size of the files. */
  bytes: number;
  /** A one-line description (e.g. "2-D latent, test loss 140.35"). */
  description: string;
}

/** A saved model: its summary, its files and which of them is the entry (manifest or model.json). */
export interface StoredModel extends StoredSummary {
  entry: string;
  files: { name: string; bytes: ArrayBuffer }[];
}

/** Named saved models. */
export interface ModelStore {
  /** Summaries, newest first. */
  list(): Promise<StoredSummary[]>;
  /** Saves (or replaces) a model under its name. */
  put(model: StoredModel): Promise<void>;
  /** The model saved under `name`, or null. */
  get(name: string): Promise<StoredModel | null>;
  /** Deletes the model saved under `name`. */
  remove(name: string): Promise<void>;
}

const DB_NAME = 'vae-playground';
const MODELS = 'models';
const SUMMARIES = 'summaries';

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('The browser storage refused the model (it may be full).'));
  });
}

/** The store in this browser's IndexedDB; every failure is an Error in plain words. */
export function browserModelStore(factory: IDBFactory | undefined = globalThis.indexedDB): ModelStore {
  let db: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> => {
    if (!factory) return Promise.reject(new Error('This browser offers no storage for models (IndexedDB is not available).'));
    db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(MODELS, { keyPath: 'name' });
        request.result.createObjectStore(SUMMARIES, { keyPath: 'name' });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(new Error(`Could not open the browser storage: ${request.error?.message ?? 'unknown error'}.`));
      request.onblocked = () => reject(new Error('The browser storage is busy in another tab; close it and try again.'));
    }).catch((err: unknown) => {
      db = null;
      throw err;
    });
    return db;
  };
  const summaryOf = ({ name, savedAt, bytes, description }: StoredSummary): StoredSummary => ({ name, savedAt, bytes, description });
  return {
    async list() {
      const tx = (await open()).transaction(SUMMARIES, 'readonly');
      const all = await promised(tx.objectStore(SUMMARIES).getAll() as IDBRequest<StoredSummary[]>);
      return all.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
    },
    async put(model) {
      const tx = (await open()).transaction([MODELS, SUMMARIES], 'readwrite');
      tx.objectStore(MODELS).put(model);
      tx.objectStore(SUMMARIES).put(summaryOf(model));
      await done(tx);
    },
    async get(name) {
      const tx = (await open()).transaction(MODELS, 'readonly');
      const found = await promised(tx.objectStore(MODELS).get(name) as IDBRequest<StoredModel | undefined>);
      return found ?? null;
    },
    async remove(name) {
      const tx = (await open()).transaction([MODELS, SUMMARIES], 'readwrite');
      tx.objectStore(MODELS).delete(name);
      tx.objectStore(SUMMARIES).delete(name);
      await done(tx);
    },
  };
}

/** A store in memory (tests, or a browser without IndexedDB). */
export function memoryModelStore(): ModelStore {
  const models = new Map<string, StoredModel>();
  return {
    list: async () => [...models.values()].map(({ name, savedAt, bytes, description }) => ({ name, savedAt, bytes, description })).sort((a, b) => b.savedAt.localeCompare(a.savedAt)),
    put: async (model) => void models.set(model.name, model),
    get: async (name) => models.get(name) ?? null,
    remove: async (name) => void models.delete(name),
  };
}
