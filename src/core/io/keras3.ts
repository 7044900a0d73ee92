/**
 * Keras 3 to tfjs-layers: one step on a model.json's topology before tfjs deserialises it.
 *
 * `tensorflowjs_converter` writes a Keras 3 model (TF >= 2.16) in Keras 3's own layout, which
 * tfjs-layers 4.22 cannot read (tensorflow/tfjs#8328, #8358, #8494). This rewrites, in a copy:
 * - InputLayer `batch_shape` -> `batch_input_shape` (and a bare `shape` -> `batch_input_shape` [null, ...shape]);
 * - `dtype` given as a `DTypePolicy` object -> its name (mixed policies keep float32 variables: "float32");
 * - the `module`, `registered_name`, `build_config` and `compile_config` fields -> removed;
 * - `inbound_nodes` as `{args: [{class_name: "__keras_tensor__", config: {keras_history: [layer, node, tensor]}}], kwargs}`
 *   -> Keras 2's `[[[layer, node, tensor, kwargs], ...]]` (tensors in nested argument lists are joined in order);
 * - `input_layers`/`output_layers` of a single tensor (`["x", 0, 0]`) or a dict -> a list of such entries;
 * - LeakyReLU's `negative_slope` -> `alpha`.
 * Keras 2 topologies (`Model`, `Functional`, `Sequential`) come out unchanged. Weight names prefixed
 * with the model's name (tensorflow/tfjs#8321) are matched later, in weight-names.ts.
 */
import { WeightsError } from './manifest';
import { quoteFromFile } from './quote';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields Keras 3 adds to every serialised object that tfjs-layers does not read. */
const KERAS3_ONLY = ['module', 'registered_name', 'build_config', 'compile_config'];
/** Deepest nesting of JSON this walks (a model file is never this deep; a hostile one is refused). */
const MAX_NESTING = 200;

/**
 * True when a model.json topology is a Keras 3 export: its keras_version is 3.x, or its layers carry
 * what only Keras 3 writes (an InputLayer's `batch_shape`, `DTypePolicy` objects, `registered_name`).
 * A Keras 2 file with a stray Keras 3 node is not one: topology.ts refuses that node in words.
 */
export function isKeras3Topology(modelTopology: unknown): boolean {
  if (isObject(modelTopology) && typeof modelTopology.keras_version === 'string' && /^3\./.test(modelTopology.keras_version)) return true;
  const text = safeStringify(modelTopology);
  return text.includes('"batch_shape"') || text.includes('"DTypePolicy"') || text.includes('"registered_name"');
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/**
 * The topology in the layout tfjs-layers reads (a deep copy; `modelTopology` is left as it was).
 * `file` names the file in messages. Throws WeightsError for what has no Keras 2 equivalent.
 */
export function keras3ToTfjs(modelTopology: unknown, file: string): unknown {
  return rewrite(modelTopology, file, 0);
}

function rewrite(value: unknown, file: string, depth: number): unknown {
  if (depth > MAX_NESTING) throw new WeightsError(`${file} nests its JSON more than ${MAX_NESTING} levels deep.`);
  if (Array.isArray(value)) return value.map((v) => rewrite(v, file, depth + 1));
  if (!isObject(value)) return value;
  if (isDTypePolicy(value)) return policyDType(value);
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    if (KERAS3_ONLY.includes(key) && 'class_name' in value) continue;
    if (key === 'inbound_nodes' && Array.isArray(v)) out[key] = v.map((node) => inboundNode(node, value.name, file));
    else if ((key === 'input_layers' || key === 'output_layers') && 'layers' in value) out[key] = modelEnds(v);
    else out[key] = rewrite(v, file, depth + 1);
  }
  if (typeof out.class_name === 'string' && isObject(out.config)) out.config = layerConfig(out.class_name, out.config);
  return out;
}

const isDTypePolicy = (v: Json) => typeof v.class_name === 'string' && /DTypePolicy$|^Policy$/.test(v.class_name) && isObject(v.config);

/** The variable dtype of a Keras dtype policy: "float32" for "mixed_float16" and the like. */
function policyDType(policy: Json): string {
  const name = (policy.config as Json).name;
  if (typeof name !== 'string' || name.startsWith('mixed_')) return 'float32';
  return name;
}

/** Keras 3 names of some layer config fields, as tfjs-layers names them. */
function layerConfig(className: string, config: Json): Json {
  const out = { ...config };
  if (className === 'InputLayer') {
    if (out.batch_input_shape === undefined && Array.isArray(out.batch_shape)) out.batch_input_shape = out.batch_shape;
    if (out.batch_input_shape === undefined && Array.isArray(out.shape)) out.batch_input_shape = [null, ...out.shape];
    delete out.batch_shape;
    delete out.shape;
    delete out.optional;
    delete out.ragged;
  }
  if (className === 'LeakyReLU' && out.alpha === undefined && out.negative_slope !== undefined) {
    out.alpha = out.negative_slope;
    delete out.negative_slope;
  }
  return out;
}

/** A reference to a layer's output in Keras 2's form: [layer, node, tensor]. */
type Entry = [string, number, number, Json];

/** One Keras 3 call `{args, kwargs}` as Keras 2's list of entries; a Keras 2 call passes through. */
function inboundNode(node: unknown, layer: unknown, file: string): unknown {
  if (!isObject(node) || !('args' in node)) return node;
  const tensors: Entry[] = [];
  collectTensors(node.args, tensors, 0);
  const kwargs: Json = {};
  if (isObject(node.kwargs)) {
    for (const [key, v] of Object.entries(node.kwargs)) {
      const inside: Entry[] = [];
      collectTensors(v, inside, 0);
      if (inside.length > 0) {
        throw new WeightsError(`${file}: layer ${quoteFromFile(layer)} takes a tensor through its keyword argument ${quoteFromFile(key)}, which tfjs-layers cannot pass; re-export with the tensor as a positional input.`);
      }
      if (v !== null && typeof v !== 'object') kwargs[key] = v;
    }
  }
  if (tensors.length === 0) {
    throw new WeightsError(`${file}: layer ${quoteFromFile(layer)} is called on no tensor of the model (its inbound node lists only constants), which tfjs-layers cannot read.`);
  }
  return tensors.map(([name, nodeIndex, tensorIndex]) => [name, nodeIndex, tensorIndex, { ...kwargs }]);
}

/** Appends every `__keras_tensor__` in `value` (a tensor, or lists and dicts of them) in order. */
function collectTensors(value: unknown, into: Entry[], depth: number): void {
  if (depth > MAX_NESTING) return;
  if (Array.isArray(value)) {
    for (const v of value) collectTensors(v, into, depth + 1);
    return;
  }
  if (!isObject(value)) return;
  if (value.class_name === '__keras_tensor__' && isObject(value.config)) {
    const history = value.config.keras_history;
    if (Array.isArray(history)) into.push([history[0], history[1], history[2], {}] as Entry);
    else into.push([String(history), -2, -2, {}]); // malformed: checkTopology names it
    return;
  }
  for (const v of Object.values(value)) collectTensors(v, into, depth + 1);
}

/** input_layers / output_layers as a list of [layer, node, tensor]: Keras 3 writes one tensor flat, named ones as a dict. */
function modelEnds(value: unknown): unknown {
  if (Array.isArray(value) && typeof value[0] === 'string' && value.length === 3 && typeof value[1] === 'number') return [value];
  if (isObject(value)) return Object.values(value).flatMap((v) => (Array.isArray(v) && typeof v[0] === 'string' ? [v] : []));
  return value;
}
