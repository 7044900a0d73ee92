/**
 * The model store in IndexedDB through `idb` (fake-indexeddb here): a model saved by the earlier
 * hand-written store (same database, version and object stores) still lists and opens; saving,
 * replacing and deleting work, newest first.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { browserModelStore, type StoredModel } from '../../src/app/weights/model-store';

/** Writes `record` the way the store before `idb` did: raw IndexedDB, database "vae-playground" version 1. */
function writeTheOldWay(record: StoredModel): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('vae-playground', 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore('models', { keyPath: 'name' });
      request.result.createObjectStore('summaries', { keyPath: 'name' });
    };
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      const tx = db.transaction(['models', 'summaries'], 'readwrite');
      const { name, savedAt, bytes, description } = record;
      tx.objectStore('models').put(record);
      tx.objectStore('summaries').put({ name, savedAt, bytes, description });
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

const flat = (name: string, savedAt: string): StoredModel => ({
  name,
  savedAt,
  bytes: 6,
  description: '2-D latent, test loss 141.50',
  entry: `${name}.vae.json`,
  files: [
    { name: `${name}.vae.json`, bytes: new Uint8Array([123, 125]).buffer },
    { name: `${name}.decoder.json`, bytes: new Uint8Array([1, 2, 3, 4]).buffer },
  ],
});

describe('browserModelStore', () => {
  it('opens models saved before it, and saves, replaces and deletes its own', async () => {
    await writeTheOldWay(flat('old model', '2025-01-02T03:04:05.000Z'));
    const store = browserModelStore();
    expect(await store.list()).toEqual([{ name: 'old model', savedAt: '2025-01-02T03:04:05.000Z', bytes: 6, description: '2-D latent, test loss 141.50' }]);
    const old = await store.get('old model');
    expect(old?.entry).toBe('old model.vae.json');
    expect(old?.files.map((f) => [f.name, Array.from(new Uint8Array(f.bytes))])).toEqual([
      ['old model.vae.json', [123, 125]],
      ['old model.decoder.json', [1, 2, 3, 4]],
    ]);

    const zip = { ...flat('new', '2026-05-06T07:08:09.000Z'), entry: 'new.zip', files: [{ name: 'new.zip', bytes: new Uint8Array([80, 75, 5, 6]).buffer }] };
    await store.put(zip);
    expect((await store.list()).map((s) => s.name)).toEqual(['new', 'old model']);
    await store.put({ ...zip, description: 'replaced', savedAt: '2026-05-06T07:08:10.000Z' });
    expect((await store.list()).map((s) => s.description)).toEqual(['replaced', '2-D latent, test loss 141.50']);
    expect((await store.get('new'))?.entry).toBe('new.zip');

    await store.remove('old model');
    expect(await store.get('old model')).toBeNull();
    expect((await store.list()).map((s) => s.name)).toEqual(['new']);
  });

  it('without IndexedDB, says so in one sentence', async () => {
    await expect(browserModelStore(false).list()).rejects.toThrow('This browser offers no storage for models (IndexedDB is not available).');
  });
});
