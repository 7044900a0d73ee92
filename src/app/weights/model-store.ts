/**
 * Saved models in the browser's IndexedDB, under names the person chooses. A record holds exactly the
 * files a download would write (now one .zip; records from before hold the five flat files, and still
 * open), so storing and loading back go through the same loader as picked files, plus a small summary
 * for the list.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

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

/** The database's layout (version 1, unchanged since the first release, so models saved then still open). */
interface ModelDb extends DBSchema {
  models: { key: string; value: StoredModel };
  summaries: { key: string; value: StoredSummary };
}

/** An IndexedDB failure as one sentence; `doing` says what was being done ("save the model"). */
function plainly(err: unknown, doing: string): Error {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  if (name === 'QuotaExceededError') return new Error(`The browser storage is full; delete a saved model, then ${doing} again.`);
  const detail = err instanceof Error && err.message ? `: ${err.message.replace(/\.$/, '')}` : '';
  return new Error(`Could not ${doing} in the browser storage${detail}.`);
}

/** The store in this browser's IndexedDB (through the `idb` library); every failure is an Error in plain words. */
export function browserModelStore(available: boolean = typeof indexedDB !== 'undefined'): ModelStore {
  let db: Promise<IDBPDatabase<ModelDb>> | null = null;
  const open = (): Promise<IDBPDatabase<ModelDb>> => {
    if (!available) return Promise.reject(new Error('This browser offers no storage for models (IndexedDB is not available).'));
    db ??= new Promise<IDBPDatabase<ModelDb>>((resolve, reject) => {
      openDB<ModelDb>(DB_NAME, 1, {
        upgrade(database) {
          database.createObjectStore(MODELS, { keyPath: 'name' });
          database.createObjectStore(SUMMARIES, { keyPath: 'name' });
        },
        blocked: () => reject(new Error('The browser storage is busy in another tab; close it and try again.')),
        terminated: () => {
          db = null; // the browser closed the connection: open it again next time
        },
      }).then(resolve, (err: unknown) => reject(plainly(err, 'open the saved models')));
    }).catch((err: unknown) => {
      db = null;
      throw err;
    });
    return db;
  };
  const summaryOf = ({ name, savedAt, bytes, description }: StoredSummary): StoredSummary => ({ name, savedAt, bytes, description });
  /** Runs `task` on the open database, turning its failures into one sentence. */
  const using = async <T>(doing: string, task: (d: IDBPDatabase<ModelDb>) => Promise<T>): Promise<T> => {
    const d = await open();
    try {
      return await task(d);
    } catch (err) {
      throw plainly(err, doing);
    }
  };
  return {
    list: () => using('list the saved models', async (d) => (await d.getAll(SUMMARIES)).sort((a, b) => b.savedAt.localeCompare(a.savedAt))),
    put: (model) =>
      using('save the model', async (d) => {
        const tx = d.transaction([MODELS, SUMMARIES], 'readwrite');
        await Promise.all([tx.objectStore(MODELS).put(model), tx.objectStore(SUMMARIES).put(summaryOf(model)), tx.done]);
      }),
    get: (name) => using('read the model', async (d) => (await d.get(MODELS, name)) ?? null),
    remove: (name) =>
      using('delete the model', async (d) => {
        const tx = d.transaction([MODELS, SUMMARIES], 'readwrite');
        await Promise.all([tx.objectStore(MODELS).delete(name), tx.objectStore(SUMMARIES).delete(name), tx.done]);
      }),
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
