/**
 * A whole VAE saved as one Keras model: the Keras example's `vae = Model(inputs, decoder(encoder(inputs)[2]))`
 * (`vae.save(...)`, then tensorflowjs_converter) holds the encoder and the decoder as two nested
 * models (class Model, Functional or Sequential) whose weights sit in the one set of shards. This
 * module finds them, so each loads as if exported alone; and it recognises an encoder's model.json
 * given where a decoder's is expected, so that the message says so.
 */
import { isObject } from './manifest-fields';
import { textFromFile } from './quote';

type Json = Record<string, unknown>;

const MODEL_CLASSES = new Set(['Model', 'Functional', 'Sequential']);

/** One nested model of a whole VAE: its topology (in the file's own wrapping) and every layer name inside it. */
export interface NestedPart {
  /** A modelTopology holding this model alone, in the same form (and Keras dialect) as the file's. */
  topology: Json;
  /** The nested model's name. */
  name: string;
  /** Its name and those of all its layers, at any depth: the stored weights that belong to it. */
  layerNames: Set<string>;
}

/** The encoder and decoder of a whole VAE. */
export interface NestedVae {
  encoder: NestedPart;
  decoder: NestedPart;
}

/** The model spec of a modelTopology (`model_config` when Keras wraps it) and how to wrap another in its place. */
function unwrap(modelTopology: unknown): { spec: Json; wrap: (spec: Json) => Json } | null {
  if (!isObject(modelTopology)) return null;
  if (isObject(modelTopology.model_config)) {
    return { spec: modelTopology.model_config, wrap: (spec) => ({ ...modelTopology, model_config: spec, training_config: undefined }) };
  }
  return { spec: modelTopology, wrap: (spec) => ({ ...modelTopology, ...spec }) };
}

/** The layer list of a model's config (Sequential's may be the list itself). */
function layersOf(config: unknown): Json[] {
  const list = Array.isArray(config) ? config : isObject(config) && Array.isArray(config.layers) ? config.layers : [];
  return list.filter(isObject);
}

const layerName = (layer: Json): string => {
  const config = isObject(layer.config) ? layer.config : {};
  return typeof layer.name === 'string' ? layer.name : typeof config.name === 'string' ? config.name : '';
};

const isModel = (layer: Json) => typeof layer.class_name === 'string' && MODEL_CLASSES.has(layer.class_name) && layersOf(layer.config).length > 0;

function namesInside(layer: Json, into: Set<string>, depth = 0): Set<string> {
  into.add(layerName(layer));
  if (depth < 8) for (const inner of layersOf(layer.config)) namesInside(inner, into, depth + 1);
  return into;
}

/** The nested model `layer` as a part: its spec is the layer's class and config (and Keras 3's module fields), without its calls. */
function partOf(layer: Json, wrap: (spec: Json) => Json): NestedPart {
  const spec: Json = {};
  for (const [key, value] of Object.entries(layer)) if (key !== 'inbound_nodes' && key !== 'name') spec[key] = value;
  return { topology: wrap(spec), name: layerName(layer), layerNames: namesInside(layer, new Set()) };
}

/**
 * The encoder and decoder nested in a whole VAE's modelTopology, or null when it does not hold two
 * nested models. The encoder is the one named like "encoder" (else the first), the decoder the one
 * named like "decoder" (else the other).
 */
export function nestedVae(modelTopology: unknown): NestedVae | null {
  const top = unwrap(modelTopology);
  if (!top) return null;
  const nested = layersOf(top.spec.config).filter(isModel);
  if (nested.length < 2) return null;
  const encoder = nested.find((l) => /enc/i.test(layerName(l))) ?? nested[0];
  const decoder = nested.find((l) => l !== encoder && /dec|gen/i.test(layerName(l))) ?? (nested.find((l) => l !== encoder) as Json);
  return { encoder: partOf(encoder, top.wrap), decoder: partOf(decoder, top.wrap) };
}

/** Names of a Functional model's outputs (`output_layers`, Keras 2's lists or Keras 3's), or [] when it has none readable. */
function outputNames(spec: Json): string[] {
  const config = isObject(spec.config) ? spec.config : {};
  const ends = config.output_layers;
  if (!Array.isArray(ends)) return [];
  const flat = ends.length > 0 && typeof ends[0] === 'string' ? [ends] : ends; // Keras 3 writes one output as a flat triple
  return flat.map((e) => (Array.isArray(e) && typeof e[0] === 'string' ? e[0] : '')).filter((n) => n !== '');
}

/**
 * A sentence when the model.json at `where`, given as a decoder, is an encoder (several outputs named like
 * a posterior's: z_mean, z_log_var, z), else null.
 */
export function encoderGivenAsDecoder(modelTopology: unknown, where: string): string | null {
  const top = unwrap(modelTopology);
  if (!top) return null;
  const outputs = outputNames(top.spec);
  const named = typeof top.spec.config === 'object' && top.spec.config !== null ? String((top.spec.config as Json).name ?? '') : '';
  const looksLikePosterior = outputs.some((n) => /mean|mu\b|log_?var|logvar|sigma|std/i.test(n));
  if (outputs.length < 2 || !(looksLikePosterior || /enc/i.test(named))) return null;
  return (
    `${where} is an encoder (its outputs are ${textFromFile(outputs.join(', '), 120)}), not a decoder: give the decoder's model.json, ` +
    'or the folder (or a vae.json) that holds both encoder/ and decoder/.'
  );
}
