/**
 * Cutting a functional model down to the outputs the app uses, before tfjs deserialises it. The
 * classic Keras VAE samples z with a `Lambda` layer (Python bytecode a browser can never run) as a
 * third encoder output the app ignores: every layer (and every call of a layer) that no kept output
 * depends on is removed, so an unknown layer off the path to the mean and log-variance does not
 * stop the model from loading. An unknown layer on that path is refused in one sentence naming it.
 * Works on the Keras 2 (tfjs-layers) layout, after keras3.ts; Sequential models pass unchanged.
 */
import { WeightsError } from './manifest';
import { quoteFromFile, textFromFile } from './quote';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const MODELS = new Set(['Model', 'Functional', 'Sequential']);

/** What to keep and how messages name things. */
export interface PruneOptions {
  /** The file as messages name it. */
  file: string;
  /** "encoder" or "decoder". */
  part: string;
  /** Which outputs to keep, given how many the model has (indices into output_layers). */
  keep: (outputs: number) => number[];
  /** What output i is, in words ("the mean"). */
  outputName: (i: number) => string;
  /** Whether tfjs can build a layer of this class. */
  isKnownClass: (className: string) => boolean;
}

/** The pruned topology, the names of the layers removed, and how many outputs the file's model had. */
export interface Pruned {
  topology: unknown;
  dropped: Set<string>;
  outputs: number;
}

interface Layer {
  raw: Json;
  initial: number;
  calls: unknown[];
}

/** An [layer, node, tensor, ...] entry, or null when it is not one (checkTopology explains those). */
function entry(v: unknown): [string, number, number] | null {
  return Array.isArray(v) && typeof v[0] === 'string' && Number.isInteger(v[1]) && Number.isInteger(v[2]) ? [v[0], v[1] as number, v[2] as number] : null;
}

/**
 * Keeps the outputs `options.keep` picks and every layer call they depend on; renumbers the nodes of
 * layers that lose calls. A topology it cannot follow is returned as it is, for checkTopology to name
 * the problem. Throws WeightsError when a kept output depends on a layer tfjs cannot build.
 */
export function pruneToOutputs(modelTopology: unknown, options: PruneOptions): Pruned {
  const wrapped = isObject(modelTopology) && isObject(modelTopology.model_config);
  const spec = wrapped ? (modelTopology as Json).model_config : modelTopology;
  const unchanged: Pruned = { topology: modelTopology, dropped: new Set(), outputs: 0 };
  if (!isObject(spec) || (spec.class_name !== 'Model' && spec.class_name !== 'Functional') || !isObject(spec.config)) return unchanged;
  const config = spec.config;
  const ends = config.output_layers;
  if (!Array.isArray(config.layers) || !Array.isArray(ends) || !Array.isArray(config.input_layers)) return unchanged;
  const layers = new Map<string, Layer>();
  for (const raw of config.layers) {
    if (!isObject(raw) || typeof raw.name !== 'string' || !Array.isArray(raw.inbound_nodes) || layers.has(raw.name)) return unchanged;
    const initial = raw.class_name === 'InputLayer' || MODELS.has(raw.class_name as string) ? 1 : 0;
    layers.set(raw.name, { raw, initial, calls: raw.inbound_nodes });
  }
  const outputs = ends.map(entry);
  if (outputs.some((o) => o === null)) return { ...unchanged, outputs: ends.length };

  const kept = new Map<string, Set<number>>(); // layer -> kept call indices
  const keepIndices = options.keep(ends.length).filter((i) => i >= 0 && i < ends.length);
  for (const i of keepIndices) {
    const [name, node] = outputs[i] as [string, number, number];
    visit(name, node, i, layers, kept, options, new Set());
  }
  for (const e of config.input_layers.map(entry)) if (e) kept.set(e[0], kept.get(e[0]) ?? new Set());

  // New node numbers: a layer's initial nodes, then its kept calls in their order.
  const renumber = (name: string, node: number): number => {
    const layer = layers.get(name);
    if (!layer || node < layer.initial) return node;
    const calls = [...(kept.get(name) ?? [])].sort((a, b) => a - b);
    return layer.initial + calls.indexOf(node - layer.initial);
  };
  const rewriteEntry = (v: unknown) => {
    const e = entry(v);
    if (!e) return v;
    return [e[0], renumber(e[0], e[1]), ...(v as unknown[]).slice(2)];
  };
  const dropped = new Set<string>();
  const newLayers: Json[] = [];
  for (const [name, layer] of layers) {
    const calls = kept.get(name);
    if (!calls) {
      dropped.add(name);
      continue;
    }
    const inbound = [...calls].sort((a, b) => a - b).map((c) => (layer.calls[c] as unknown[]).map(rewriteEntry));
    newLayers.push({ ...layer.raw, inbound_nodes: inbound });
  }
  const newConfig = { ...config, layers: newLayers, output_layers: keepIndices.map((i) => rewriteEntry(ends[i])) };
  const newSpec = { ...spec, config: newConfig };
  return { topology: wrapped ? { ...(modelTopology as Json), model_config: newSpec } : newSpec, dropped, outputs: ends.length };
}

/** Marks node `node` of layer `name` and everything it depends on as kept; refuses unknown layers on the way. */
function visit(name: string, node: number, output: number, layers: Map<string, Layer>, kept: Map<string, Set<number>>, options: PruneOptions, seen: Set<string>): void {
  const stack: [string, number][] = [[name, node]];
  while (stack.length > 0) {
    const [n, k] = stack.pop() as [string, number];
    const key = `${k}:${n}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const layer = layers.get(n);
    if (!layer) continue; // checkTopology names the missing layer
    const className = layer.raw.class_name;
    if (typeof className === 'string' && !MODELS.has(className) && !options.isKnownClass(className)) throw unknownOnPath(n, className, output, options);
    const calls = kept.get(n) ?? new Set<number>();
    kept.set(n, calls);
    if (k < layer.initial) continue;
    const call = k - layer.initial;
    if (calls.has(call) || !Array.isArray(layer.calls[call])) continue;
    calls.add(call);
    for (const input of layer.calls[call] as unknown[]) {
      const e = entry(input);
      if (e) stack.push([e[0], e[1]]);
    }
  }
}

function unknownOnPath(name: string, className: string, output: number, { file, part, outputName }: PruneOptions): WeightsError {
  const known = `The ${part} uses the layer type ${textFromFile(className)}, which this app does not know.`;
  const where = `Its layer ${quoteFromFile(name)} in ${file} lies on the way to the ${part}'s ${outputName(output)}`;
  const lambda = className === 'Lambda' ? ' and holds Python code, which no browser runs' : ' (nothing in a model file is run as code)';
  const fix = part === 'encoder'
    ? 'export the encoder with outputs [z_mean, z_log_var] from built-in layers (keras.Model(inputs, [z_mean, z_log_var]); a sampled z may come third, from any layer)'
    : 'export the decoder with built-in layers only';
  return new WeightsError(`${known} ${where}${lambda}; ${fix}.`);
}
