/** Reading one tfjs LayersModel (model.json + weight shards) from a WeightsSource, with plain-words errors. */
import * as tf from '@tensorflow/tfjs';
import { WeightsError } from './manifest';
import { showLocation, textFromFile } from './quote';
import { formatBytes, type ReadOptions, type WeightsSource } from './source';
import { checkTopology } from './topology';

/** Which model a message is about. */
export type Part = 'encoder' | 'decoder';

/** A model.json read and checked, with the weights it describes. */
export interface ModelFile {
  location: string;
  json: tf.io.ModelJSON;
  specs: tf.io.WeightsManifestEntry[];
  /** Weight bytes the specs describe, per weights group. */
  groupBytes: number[];
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Reads and parses a JSON file; an HTML page or other text gives a plain error naming `what` it should be. */
export async function readJson(source: WeightsSource, location: string, what: string, options: ReadOptions): Promise<unknown> {
  const bytes = await source.read(location, options);
  const text = utf8.decode(bytes).replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('<')) throw new WeightsError(`${showLocation(location)} is an HTML page, not ${what}.`);
  try {
    return JSON.parse(text);
  } catch {
    throw new WeightsError(`${showLocation(location)} is not ${what}: it is not valid JSON.`);
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
      sizeProblem = got < expected
        ? `The ${part}'s weights file ${names} is truncated: it holds ${formatBytes(got)} but model.json describes ${formatBytes(expected)}.`
        : `The ${part}'s weights file ${names} holds ${formatBytes(got)} but model.json describes ${formatBytes(expected)}; the weights do not match their description.`;
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
    const problem = shapeProblem(model, file.specs, part) ?? weights.sizeProblem;
    if (problem) throw new WeightsError(problem);
    const named = tf.tidy(() => tf.io.decodeWeights(weights.data, file.specs));
    try {
      const modelWeights = Object.fromEntries(file.specs.filter((s) => s.group !== 'optimizer').map((s) => [s.name, named[s.name]]));
      model.loadWeights(modelWeights, true);
    } finally {
      tf.dispose(Object.values(named));
    }
    return model;
  } catch (err) {
    disposeModel(model);
    throw err instanceof WeightsError ? err : new WeightsError(rephrase(err, part));
  }
}

/** Frees a LayersModel and all its weights: tfjs' own dispose keeps those of a layer called more than once. */
export function disposeModel(model: tf.LayersModel): void {
  const variables = model.weights.map((w) => w.read());
  model.dispose();
  for (const v of variables) if (!v.isDisposed) v.dispose();
}

async function modelFromTopology(file: ModelFile, part: Part): Promise<tf.LayersModel> {
  // tfjs-layers loops for ever on some malformed topologies: refuse those in words first.
  checkTopology(file.json.modelTopology, { file: showLocation(file.location), model: part });
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
    throw new WeightsError(`The ${part}'s model.json could not be read as a layers model: ${shortMessage(err)}.`);
  }
}

const showShape = (shape: readonly (number | null)[]) => textFromFile(`[${shape.join(', ')}]`, 80);

/** The first weight whose shape in model.json differs from what its layer needs, in words. */
function shapeProblem(model: tf.LayersModel, specs: tf.io.WeightsManifestEntry[], part: Part): string | null {
  const byName = new Map(model.weights.map((w) => [w.originalName, w]));
  for (const spec of specs) {
    if (spec.group === 'optimizer') continue;
    const tokens = spec.name.split('/');
    const target = byName.get(spec.name) ?? byName.get([...tokens.slice(0, -2), tokens[tokens.length - 1]].join('/'));
    if (target && target.shape.join() !== spec.shape.join()) {
      return `The ${part}'s weight ${textFromFile(spec.name, 100)} has shape ${showShape(spec.shape)} in model.json but its layer needs ${showShape(target.shape)}; the weights do not match the model's layers.`;
    }
  }
  return null;
}

function shortMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return textFromFile(message.split('\n')[0], 300);
}

function rephrase(err: unknown, part: Part): string {
  const message = shortMessage(err);
  const noTarget = /no target variable: (.*)/.exec(message);
  if (noTarget) return `The ${part}'s weights include ${textFromFile(noTarget[1], 100)}, which no layer of the model has.`;
  const unset = /weights are not set: (.*)/.exec(message);
  if (unset) return `The ${part}'s weights lack values for ${textFromFile(unset[1].split(',').join(', '), 200)}.`;
  if (/Shape mismatch|should have \d+ values/.test(message)) return `The ${part}'s weights do not match its layers (${message}).`;
  return `The ${part} could not be loaded: ${message}.`;
}
