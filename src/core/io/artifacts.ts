/** Reading one tfjs LayersModel (model.json + weight shards) from a WeightsSource, with plain-words errors. */
import * as tf from '../tf';
import { WeightsError } from './manifest';
import { showLocation, textFromFile } from './quote';
import { formatBytes, type ReadOptions, type WeightsSource } from './source';
import { tfjsSaid, unbuildableLayer } from './diagnose';
import { unreadableModelFormat } from './formats';
import { checkTopology } from './topology';
import { matchWeights } from './weight-names';

/** Which model a message is about. */
export type Part = 'encoder' | 'decoder';

/** A model.json read and checked, with the weights it describes. */
export interface ModelFile {
  location: string;
  json: tf.io.ModelJSON;
  specs: tf.io.WeightsManifestEntry[];
  /** Weight bytes the specs describe, per weights group. */
  groupBytes: number[];
  /** Layers pruned away before building (prepare.ts); their stored weights are skipped. */
  dropped?: ReadonlySet<string>;
  /** Whether the file was a Keras 3 export (translated by keras3.ts). */
  keras3?: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Reads and parses a JSON file; an HTML page or other text gives a plain error naming `what` it should be. */
export async function readJson(source: WeightsSource, location: string, what: string, options: ReadOptions): Promise<unknown> {
  const bytes = await source.read(location, options);
  const text = utf8.decode(bytes).replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('<')) throw new WeightsError(`${showLocation(location)} is an HTML page, not ${what} (a wrong address, or the server answered with a web page of its own).`);
  try {
    return JSON.parse(text);
  } catch {
    throw new WeightsError(unreadableModelFormat(bytes, location) ?? `${showLocation(location)} is not ${what}: it is not valid JSON.`);
  }
}

const ELEMENT_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function specBytes(spec: tf.io.WeightsManifestEntry): number {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  return size * ELEMENT_BYTES[spec.quantization?.dtype ?? spec.dtype];
}

function isSpec(s: unknown): s is tf.io.WeightsManifestEntry {
  const spec = s as tf.io.WeightsManifestEntry;
  return (
    typeof spec === 'object' && spec !== null && typeof spec.name === 'string' &&
    Array.isArray(spec.shape) && spec.shape.every((d) => Number.isInteger(d) && d >= 0) &&
    ['float32', 'int32', 'bool'].includes(spec.dtype) &&
    (spec.quantization === undefined || ['uint8', 'uint16', 'float16'].includes(spec.quantization.dtype))
  );
}

/** Checks the parts of a model.json this app relies on. */
export function parseModelJson(json: unknown, location: string, part: Part): ModelFile {
  const j = json as Partial<tf.io.ModelJSON> | null;
  if (typeof j !== 'object' || j === null || typeof j.modelTopology !== 'object' || j.modelTopology === null) {
    throw new WeightsError(`${showLocation(location)} is not a tfjs model.json: it has no modelTopology.`);
  }
  if (j.format === 'graph-model') {
    throw new WeightsError(`The ${part} at ${showLocation(location)} is a tfjs graph model; this app needs a layers model (tensorflowjs_converter --output_format tfjs_layers_model).`);
  }
  const groups = j.weightsManifest;
  const groupsOk = Array.isArray(groups) && groups.every((g) =>
    Array.isArray(g?.paths) && g.paths.length > 0 && g.paths.every((p) => typeof p === 'string' && p.length > 0) &&
    Array.isArray(g.weights) && g.weights.every(isSpec));
  if (!groupsOk) {
    throw new WeightsError(`The ${part}'s ${showLocation(location)} has a missing or malformed weightsManifest (each entry needs paths and weights with a name, a shape and a float32, int32 or bool dtype).`);
  }
  return {
    location,
    json: j as tf.io.ModelJSON,
    specs: groups.flatMap((g) => g.weights),
    groupBytes: groups.map((g) => g.weights.reduce((sum, s) => sum + specBytes(s), 0)),
  };
}

/** Weight bytes of a model, and a sentence when their size differs from what model.json describes. */
export interface WeightBytes {
  data: ArrayBuffer;
  sizeProblem: string | null;
}

/** Reads every weight shard of `file` in order and joins them. */
export async function readWeights(source: WeightsSource, file: ModelFile, part: Part, options: ReadOptions): Promise<WeightBytes> {
  const groups = file.json.weightsManifest;
  const chunks: Uint8Array[] = [];
  let sizeProblem: string | null = null;
  for (const [g, group] of groups.entries()) {
    const locations = group.paths.map((p) => source.resolve(p, file.location));
    const shards = await Promise.all(locations.map((loc) => source.read(loc, options)));
    const got = shards.reduce((sum, s) => sum + s.length, 0);
    const expected = file.groupBytes[g];
    if (got !== expected && sizeProblem === null) {
      const names = textFromFile(locations.map((l) => l.split('/').pop()).join(', '), 200);
      // Exact byte counts where the rounded sizes would read the same ("2.0 MB but 2.0 MB").
      const [has, wants] = formatBytes(got) === formatBytes(expected) ? [`${got.toLocaleString('en-US')} bytes`, `${expected.toLocaleString('en-US')} bytes`] : [formatBytes(got), formatBytes(expected)];
      sizeProblem = got < expected
        ? `The ${part}'s weights file ${names} is truncated: it holds ${has} but model.json describes ${wants}.`
        : `The ${part}'s weights file ${names} holds ${has} but model.json describes ${wants}; the weights do not match their description.`;
    }
    chunks.push(...shards);
  }
  const total = chunks.reduce((sum, c) => sum + c.length, 0);
  const data = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    data.set(c, offset);
    offset += c.length;
  }
  return { data: data.buffer, sizeProblem };
}

/** Builds the LayersModel of `file` and loads `weights` into it; on any failure nothing is left allocated. */
export async function buildModel(file: ModelFile, weights: WeightBytes, part: Part): Promise<tf.LayersModel> {
  const model = await modelFromTopology(file, part);
  try {
    const stored = file.specs.filter((s) => s.group !== 'optimizer');
    const match = matchWeights(model.weights, stored, file.dropped ?? new Set(), part, showLocation(file.location));
    if (!match.ok) throw new WeightsError(match.problem);
    if (weights.sizeProblem) throw new WeightsError(weights.sizeProblem);
    const named = tf.tidy(() => tf.io.decodeWeights(weights.data, file.specs));
    try {
      model.loadWeights(Object.fromEntries([...match.names].map(([variable, name]) => [variable, named[name]])), true);
    } finally {
      tf.dispose(Object.values(named));
    }
    return model;
  } catch (err) {
    disposeModel(model);
    throw err instanceof WeightsError ? err : new WeightsError(`The ${part}'s weights in ${showLocation(file.location)} could not be loaded into its layers (tfjs-layers says: ${tfjsSaid(err)}).`);
  }
}

/** Frees a LayersModel and all its weights: tfjs' own dispose keeps those of a layer called more than once. */
export function disposeModel(model: tf.LayersModel): void {
  const variables = model.weights.map((w) => w.read());
  model.dispose();
  for (const v of variables) if (!v.isDisposed) v.dispose();
}

async function modelFromTopology(file: ModelFile, part: Part): Promise<tf.LayersModel> {
  const where = showLocation(file.location);
  // tfjs-layers loops for ever on some malformed topologies: refuse those in words first.
  checkTopology(file.json.modelTopology, { file: where, model: part });
  const registry = tf.engine().registeredVariables;
  const before = new Set(Object.keys(registry));
  // modelFromJSON builds the layers synchronously, so the variables created are exactly the new ones.
  const pending = tf.models.modelFromJSON({ modelTopology: file.json.modelTopology } as tf.io.ModelJSON);
  const created = Object.keys(registry).filter((name) => !before.has(name)).map((name) => registry[name]);
  try {
    const model = await pending;
    if (!(model instanceof tf.LayersModel)) throw new Error('the topology is not a layers model');
    return model;
  } catch (err) {
    tf.dispose(created);
    const unknown = /Unknown layer: ([\w>-]+)/.exec(String((err as Error)?.message));
    if (unknown) throw new WeightsError(`The ${part} uses the layer type ${textFromFile(unknown[1])}, which this app does not know.`);
    const culprit = await unbuildableLayer(file.json.modelTopology);
    const keras = file.keras3 ? 'Keras 3 ' : '';
    if (culprit) throw new WeightsError(`${where}: tfjs-layers cannot build the ${part}'s ${culprit.layer} from this ${keras}export (it says: ${culprit.reason}).`);
    throw new WeightsError(`${where}: tfjs-layers cannot connect the ${part}'s layers as this ${keras}export describes them (it says: ${tfjsSaid(err)}).`);
  }
}
