/**
 * The weights format as one .zip (core/io/archive.ts): what Save writes is exactly the folder layout of
 * docs/weights-format.md, it loads back with the same decodings, and what is not a saved model (a missing
 * part, a file that is no zip, a damaged zip, one too large unpacked) is refused in one plain sentence.
 */
import * as tf from '@tensorflow/tfjs';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceFromPicked } from '../../src/app/weights/picked-files';
import { archiveSource, findEntry, looksLikeZip, manifestInArchive, openArchive, writeArchive } from '../../src/core/io/archive';
import { folderSink } from '../../src/core/io/files';
import { disposeLoaded, loadModelFromSource } from '../../src/core/io/load';
import { saveVae } from '../../src/core/io/save';
import { makeConfig } from '../../src/core/model/config';
import { Vae } from '../../src/core/model/vae';

const MB = 1024 * 1024;
/** The folder layout of docs/weights-format.md, manifest first. */
const LAYOUT = ['vae.json', 'encoder/model.json', 'encoder/weights.bin', 'decoder/model.json', 'decoder/weights.bin'];
const Z = [
  [0, 0],
  [1.2, -0.8],
  [-1.5, 1.1],
];

let vae: Vae;
let zip: Uint8Array;

/** The zip `zip` with its entries changed by `edit` (entry names as in the zip). */
function rezip(edit: (entries: Record<string, Uint8Array>) => void, from = zip): Uint8Array {
  const entries = unzipSync(from);
  edit(entries);
  return zipSync(entries as Zippable);
}

/** Opens a zip and loads the model in it the way the worker does. */
async function loadZip(bytes: Uint8Array, name = 'm.zip') {
  const opened = openArchive(bytes, name, 200 * MB);
  return loadModelFromSource(archiveSource(opened.files, name), opened.entry);
}

async function failure(task: () => unknown): Promise<string> {
  try {
    await task();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  vae = Vae.create(makeConfig({ hidden: [16], latentDim: 2 }));
  const sink = folderSink();
  await saveVae(vae, sink, { dataset: 'mnist', training: { epochs: 1, testElbo: -170.25 } });
  zip = writeArchive(sink.files, 'my-model');
});

afterAll(() => vae.dispose());

describe('writing', () => {
  it('holds exactly the documented folder layout under one top folder; shards stored as they are, JSON deflated', () => {
    const listed: { name: string; compression: number }[] = [];
    unzipSync(zip, { filter: (f) => (listed.push({ name: f.name, compression: f.compression }), false) });
    expect(listed.map((f) => f.name)).toEqual(LAYOUT.map((p) => `my-model/${p}`));
    for (const f of listed) expect(f.compression).toBe(f.name.endsWith('.bin') ? 0 : 8);
    const manifest = JSON.parse(new TextDecoder().decode(unzipSync(zip)['my-model/vae.json']));
    expect(manifest).toMatchObject({ format: 'vae-playground', encoder: 'encoder/model.json', decoder: 'decoder/model.json', training: { testElbo: -170.25 } });
    expect(JSON.parse(new TextDecoder().decode(unzipSync(zip)['my-model/decoder/model.json'])).weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(looksLikeZip(zip)).toBe(true);
    expect(manifestInArchive(zip)).toEqual(unzipSync(zip)['my-model/vae.json']);
  });
});

describe('reading', () => {
  it('loads back with the same decodings, from the top folder or from the root, with a Mac-made zip\'s extras ignored', async () => {
    const want = await tf.tidy(() => tf.sigmoid(vae.decoder.predict(tf.tensor2d(Z)) as tf.Tensor)).data();
    const atRoot = rezip((e) => {
      for (const name of Object.keys(e)) {
        e[name.replace('my-model/', '')] = e[name];
        delete e[name];
      }
      e['__MACOSX/._vae.json'] = new Uint8Array([0, 5, 22, 7]);
      e['.DS_Store'] = new Uint8Array(8);
    });
    expect([...openArchive(atRoot, 'r.zip', 200 * MB).files.keys()].sort()).toEqual([...LAYOUT].sort());
    for (const bytes of [zip, atRoot]) {
      const loaded = await loadZip(bytes);
      expect(loaded.latentDim).toBe(2);
      const got = await tf.tidy(() => tf.sigmoid(loaded.decoder.predict(tf.tensor2d(Z)) as tf.Tensor)).data();
      expect(Array.from(got)).toEqual(Array.from(want));
      disposeLoaded(loaded);
    }
  });

  it('a zip lacking a part names what is missing; one holding no model says so', async () => {
    const noShard = rezip((e) => delete e['my-model/decoder/weights.bin']);
    expect(await failure(() => loadZip(noShard))).toBe('m.zip has no file decoder/weights.bin (it holds vae.json, encoder/model.json, encoder/weights.bin, decoder/model.json).');
    const noDecoder = rezip((e) => {
      delete e['my-model/decoder/model.json'];
      delete e['my-model/decoder/weights.bin'];
    });
    expect(await failure(() => loadZip(noDecoder))).toMatch(/^m\.zip has no file decoder\/model\.json \(it holds vae\.json, encoder\/model\.json, encoder\/weights\.bin\)\.$/);
    const onlyShards = rezip((e) => {
      for (const n of Object.keys(e)) if (n.endsWith('.json')) delete e[n];
    });
    expect(await failure(() => loadZip(onlyShards))).toBe('m.zip holds no model: no manifest (vae.json), and not a single model.json or .safetensors file.');
    expect(await failure(() => loadZip(zipSync({})))).toBe('m.zip holds no files.');
  });

  it('a file that is not a zip, or a damaged one, is refused in one sentence', async () => {
    const text = new TextEncoder().encode('{"format": "vae-playground"}');
    expect(await failure(() => openArchive(text, 'model.zip', 200 * MB))).toBe("model.zip is not a zip archive; open a .zip saved by this app, or the model's files or folder.");
    const cut = zip.slice(0, Math.floor(zip.length / 2));
    expect(await failure(() => openArchive(cut, 'cut.zip', 200 * MB))).toMatch(/^cut\.zip could not be unpacked: it is damaged or uses a kind of zip this app does not read \(.+\)\.$/);
  });

  it('refuses what unpacks larger than the limit before unpacking it', async () => {
    const big = zipSync({ 'm/vae.json': new Uint8Array(10), 'm/decoder/weights.bin': [new Uint8Array(3 * MB), { level: 9 }] });
    expect(big.length).toBeLessThan(MB / 10); // zeros deflate to almost nothing: the zip itself passes a size check
    expect(await failure(() => openArchive(big, 'big.zip', 2 * MB))).toBe('m/decoder/weights.bin in big.zip unpacks to 3.0 MB, more than the 2.0 MB this app accepts.');
    const many = zipSync(Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`m/part${i}.bin`, [new Uint8Array(MB), { level: 9 }]])) as Zippable);
    expect(await failure(() => openArchive(many, 'many.zip', 2 * MB))).toBe('many.zip unpacks to more than 4.0 MB, more than this app accepts.');
  });
});

describe('picking', () => {
  const picked = (name: string, bytes: Uint8Array) => ({ name, size: bytes.length, arrayBuffer: async () => bytes.slice().buffer });

  it('a .zip opens on its own (its entry is the zip, unpacked where the model loads); beside other files it is refused', async () => {
    const source = await sourceFromPicked([picked('my-model (1).zip', zip)]);
    expect(source).toMatchObject({ kind: 'files', entry: 'my-model (1).zip', label: 'the file my-model (1).zip' });
    expect(source.kind === 'files' && source.files.map((f) => f.name)).toEqual(['my-model (1).zip']);
    await expect(sourceFromPicked([picked('my-model.zip', zip), picked('vae.json', new Uint8Array(2))])).rejects.toThrow('Open my-model.zip on its own: a saved .zip holds the whole model.');
  });

  it("a Keras or PyTorch file picked alone is named with what to export, as by URL (formats.ts)", async () => {
    const hdf5 = Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    await expect(sourceFromPicked([picked('vae.h5', hdf5)])).rejects.toThrow(/^vae\.h5 is a Keras HDF5 file, which a browser cannot read: convert it with tensorflowjs_converter/);
    await expect(sourceFromPicked([picked('weights', hdf5)])).rejects.toThrow(/^weights is a Keras HDF5 file/); // by its bytes alone
    await expect(sourceFromPicked([picked('model.pt', zip)])).rejects.toThrow(/^model\.pt is a pickled PyTorch file \(torch\.save\).*safetensors/);
    await expect(sourceFromPicked([picked('pytorch_model.bin', Uint8Array.from([0x80, 0x02, 0x7d, 0x71]))])).rejects.toThrow(/is a pickled PyTorch file/);
    await expect(sourceFromPicked([picked('encoder.keras', zip), picked('decoder.keras', zip)])).rejects.toThrow(/^encoder\.keras is a Keras \.keras file/);
    // Files of no known format keep the general sentence.
    await expect(sourceFromPicked([picked('notes.txt', new Uint8Array([65, 66]))])).rejects.toThrow(/Choose the model's manifest/);
  });

  it('the entry of a set of files: the manifest, else a lone .json, else a lone state dict', () => {
    expect(findEntry(['a/vae.json', 'a/encoder/model.json', 'vae.json'])).toBe('vae.json');
    expect(findEntry(['decoder/model.json', 'decoder/weights.bin'])).toBe('decoder/model.json');
    expect(findEntry(['vae.safetensors'])).toBe('vae.safetensors');
    expect(() => findEntry(['encoder/weights.bin', 'decoder/weights.bin'])).toThrow(/Choose the model's manifest/);
  });
});
