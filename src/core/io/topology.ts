/**
 * A structural check of a model topology in the tfjs-layers (Keras 2) layout, run just before tfjs
 * deserialises it. tfjs-layers loops for ever on some malformed topologies (inbound nodes nested one
 * level too few or too many, an input from a layer that does not exist, node numbers past a layer's
 * calls, layers feeding each other in a circle, two layers of one name) and fails with an obscure
 * TypeError on others; this refuses all of them first, in plain words naming the file and the layer.
 * Functional models (`Model`, `Functional`) and `Sequential` are checked, nested models included.
 */
import * as tf from '../tf';
import { WeightsError } from './manifest';
import { quoteFromFile, textFromFile } from './quote';
import { replayNodeQueue, type NodeInput, type OrderLayer } from './topology-order';

/** Options of `checkTopology`. */
export interface TopologyCheckOptions {
  /** The file as messages name it, e.g. "decoder/model.json". */
  file: string;
  /** The model as the unknown-layer message names it, e.g. "decoder" ("The decoder uses the layer type ..."). */
  model?: string;
  /** Whether tfjs can build a layer of this class; by default, whether tfjs' class registry holds it. */
  isKnownClass?: (className: string) => boolean;
}

/** Most layers a model file may hold, nested models included (tfjs retries its node queue once per layer). */
export const MAX_LAYERS = 2000;
/** Most layer calls (inbound nodes) a model file may hold. */
export const MAX_CALLS = 5000;
/** Deepest nesting of models inside models. */
const MAX_DEPTH = 16;

const FUNCTIONAL = new Set(['Model', 'Functional']);
const SEQUENTIAL = 'Sequential';
/** Layer classes whose every call gives exactly one tensor, so tensor index 0 is the only one. */
const SINGLE_OUTPUT = new Set([
  'InputLayer', 'Dense', 'Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'Conv3DTranspose', 'SeparableConv2D', 'DepthwiseConv2D',
  'Flatten', 'Reshape', 'Permute', 'RepeatVector', 'Activation', 'Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout',
  'AlphaDropout', 'BatchNormalization', 'LayerNormalization', 'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D',
  'AveragePooling2D', 'AveragePooling3D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D',
  'UpSampling2D', 'ZeroPadding2D', 'Cropping2D', 'Add', 'Concatenate', 'Multiply', 'Subtract', 'Average', 'Maximum', 'Minimum', 'Dot',
  'Embedding', 'LeakyReLU', 'ReLU', 'ELU', 'PReLU', 'Softmax', 'ThresholdedReLU', 'Masking', 'Sampling',
]);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const q = (v: unknown) => quoteFromFile(v);
const shown = (v: unknown) => quoteFromFile(v, 80);

/** Whether tfjs' class registry can build `className` (own keys only: "toString" is no layer). */
function tfjsKnowsClass(className: string): boolean {
  return Object.prototype.hasOwnProperty.call(tf.serialization.SerializationMap.getMap().classNameMap, className);
}

interface Walk {
  options: TopologyCheckOptions;
  isKnownClass: (className: string) => boolean;
  layers: number;
  calls: number;
}

/**
 * Checks a model.json's `modelTopology` (a Keras config `{class_name, config}`, or one wrapped in
 * `model_config` as Keras writes it) in the layout tfjs-layers reads. Throws WeightsError.
 */
export function checkTopology(modelTopology: unknown, options: TopologyCheckOptions): void {
  const walk: Walk = { options, isKnownClass: options.isKnownClass ?? tfjsKnowsClass, layers: 0, calls: 0 };
  const top = isObject(modelTopology) && modelTopology.model_config != null ? modelTopology.model_config : modelTopology;
  checkModel(top, walk, '', 0);
}

/** Checks one model config; returns how many outputs the model has. */
function checkModel(spec: unknown, walk: Walk, scope: string, depth: number): number {
  const { file } = walk.options;
  const where = scope ? `${file}: the inner model ${q(scope)}` : `${file}: the topology`;
  if (!isObject(spec) || typeof spec.class_name !== 'string' || (!isObject(spec.config) && !Array.isArray(spec.config))) {
    throw new WeightsError(`${where} is not a Keras model config: it needs a "class_name" and a "config".`);
  }
  if (depth > MAX_DEPTH) throw new WeightsError(`${where} nests models more than ${MAX_DEPTH} deep.`);
  if (FUNCTIONAL.has(spec.class_name)) {
    if (!isObject(spec.config)) throw new WeightsError(`${where} is a ${q(spec.class_name)} whose config is a list, not an object with layers.`);
    return checkFunctional(spec.config, walk, scope, depth);
  }
  if (spec.class_name === SEQUENTIAL) {
    checkSequential(spec.config, walk, scope, depth);
    return 1;
  }
  throw new WeightsError(`${where} is a ${q(spec.class_name)}, not a model (Functional, Model or Sequential).`);
}

/** Prefix of a message about layer `name` of the model `scope` ('' for the file's own model). */
function about(walk: Walk, scope: string, name: unknown): string {
  const layer = `layer ${q(name)}`;
  return `${walk.options.file}: ${scope ? `${layer} of the inner model ${q(scope)}` : layer}`;
}

/** Checks a layer's class (known to tfjs, nested models recursively); returns its output count when known. */
function checkClass(raw: Json, name: string, walk: Walk, scope: string, depth: number): number | null {
  const className = raw.class_name;
  if (typeof className !== 'string' || (!isObject(raw.config) && !(className === SEQUENTIAL && Array.isArray(raw.config)))) {
    throw new WeightsError(`${about(walk, scope, name)} is not a Keras layer config: it needs a "class_name" and a "config".`);
  }
  if (!walk.isKnownClass(className)) {
    const subject = walk.options.model ? `The ${walk.options.model}` : walk.options.file;
    throw new WeightsError(`${subject} uses the layer type ${textFromFile(className)}, which this app does not know.`);
  }
  if (FUNCTIONAL.has(className) || className === SEQUENTIAL) return checkModel(raw, walk, name, depth + 1);
  checkWidth(raw.config as Json, walk, scope, name);
  return SINGLE_OUTPUT.has(className) ? 1 : null;
}

/** Widest layer (units or filters) a model file may declare: a wider one's weights exceed the 200 MB file limit anyway. */
export const MAX_WIDTH = 65_536;

/**
 * tfjs initialises a layer's weights at random before the file's weights replace them, so a layer
 * declared absurdly wide (Dense with 2e8 units) would hold the worker for a minute: refuse it first.
 */
function checkWidth(config: Json, walk: Walk, scope: string, name: string): void {
  for (const key of ['units', 'filters'] as const) {
    const v = config[key];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_WIDTH)) {
      throw new WeightsError(`${about(walk, scope, name)} declares ${key} ${shown(v)}; this app reads layers of 1 to ${MAX_WIDTH} ${key}.`);
    }
  }
}

function countLayers(walk: Walk, n: number, where: string): void {
  walk.layers += n;
  if (walk.layers > MAX_LAYERS) throw new WeightsError(`${where} has more than ${MAX_LAYERS} layers, more than this app reads.`);
}

function checkSequential(config: unknown, walk: Walk, scope: string, depth: number): void {
  const where = scope ? `${walk.options.file}: the inner model ${q(scope)}` : walk.options.file;
  const layers = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(layers) || layers.length === 0) throw new WeightsError(`${where} lists no layers.`);
  countLayers(walk, layers.length, where);
  layers.forEach((raw: unknown, i) => {
    if (!isObject(raw)) throw new WeightsError(`${where}: layer ${i + 1} is ${shown(raw)}, not a Keras layer config.`);
    const name = isObject(raw.config) && typeof raw.config.name === 'string' ? raw.config.name : `number ${i + 1}`;
    checkClass(raw, name, walk, scope, depth);
  });
}

interface Layer extends OrderLayer {
  outputs: number | null;
}

function checkFunctional(config: Json, walk: Walk, scope: string, depth: number): number {
  const where = scope ? `${walk.options.file}: the inner model ${q(scope)}` : walk.options.file;
  const list = config.layers;
  if (!Array.isArray(list) || list.length === 0) throw new WeightsError(`${where} lists no layers.`);
  countLayers(walk, list.length, where);
  const index = new Map<string, number>();
  list.forEach((raw: unknown, i) => {
    if (!isObject(raw) || typeof raw.name !== 'string' || raw.name === '') {
      throw new WeightsError(`${where}: layer ${i + 1} has no name (each layer needs "name", "class_name", "config" and "inbound_nodes").`);
    }
    if (index.has(raw.name)) throw new WeightsError(`${about(walk, scope, raw.name)} appears twice; layer names must be unique.`);
    index.set(raw.name, i);
  });
  const layers: Layer[] = list.map((raw: Json) => {
    const name = raw.name as string;
    const inner = isObject(raw.config) ? raw.config.name : undefined;
    if (typeof inner === 'string' && inner !== name) {
      throw new WeightsError(`${about(walk, scope, name)} is called ${q(inner)} inside its own config; the two names must agree.`);
    }
    const outputs = checkClass(raw, name, walk, scope, depth);
    const initialNodes = raw.class_name === 'InputLayer' || FUNCTIONAL.has(raw.class_name as string) || raw.class_name === SEQUENTIAL ? 1 : 0;
    return { name, initialNodes, outputs, calls: [] };
  });
  list.forEach((raw: Json, i) => {
    layers[i].calls = readCalls(raw.inbound_nodes, layers[i].name, layers, index, walk, scope);
  });
  const nodes = replayNodeQueue(layers, scope ? `${walk.options.file} (inner model ${q(scope)})` : walk.options.file);
  const inputs = readEnds(config.input_layers, 'input_layers', layers, index, nodes, where);
  const outputs = readEnds(config.output_layers, 'output_layers', layers, index, nodes, where);
  if (inputs === 0 || outputs === 0) throw new WeightsError(`${where} names no model ${inputs === 0 ? 'inputs' : 'outputs'} (input_layers, output_layers).`);
  return outputs;
}

/** Reads one layer's inbound_nodes: a list of calls, each a list of [layer name, node, tensor, kwargs?]. */
function readCalls(raw: unknown, name: string, layers: readonly Layer[], index: Map<string, number>, walk: Walk, scope: string): NodeInput[][] {
  const layer = about(walk, scope, name);
  if (!Array.isArray(raw)) throw new WeightsError(`${layer} has no list of inputs (inbound_nodes).`);
  walk.calls += raw.length;
  if (walk.calls > MAX_CALLS) throw new WeightsError(`${walk.options.file} has more than ${MAX_CALLS} layer calls, more than this app reads.`);
  return raw.map((call: unknown) => {
    if (Array.isArray(call) && typeof call[0] === 'string') {
      throw new WeightsError(`${layer} lists its inputs (inbound_nodes) nested one level too few: ${shown(call)} where tfjs-layers reads [${shown(call)}].`);
    }
    if (!Array.isArray(call) || call.length === 0) {
      throw new WeightsError(`${layer} has an input (inbound_nodes) in a form tfjs-layers cannot read: ${shown(call)}; it needs a list of [layer name, node, tensor, {}].`);
    }
    return call.map((entry: unknown) => readInput(entry, layer, layers, index, 'takes its input from'));
  });
}

/** Reads one [layer name, node, tensor, kwargs?] entry and checks what can be checked without the node counts. */
function readInput(entry: unknown, subject: string, layers: readonly Layer[], index: Map<string, number>, verb: string): NodeInput {
  if (Array.isArray(entry) && Array.isArray(entry[0])) {
    throw new WeightsError(`${subject} lists its inputs nested one level too many: ${shown(entry)} where tfjs-layers reads a plain [layer name, node, tensor, {}].`);
  }
  if (!Array.isArray(entry) || typeof entry[0] !== 'string' || entry.length < 3 || entry.length > 4) {
    throw new WeightsError(`${subject} has an input in a form tfjs-layers cannot read: ${shown(entry)}; it needs [layer name, node, tensor, {}].`);
  }
  const [from, node, tensor, kwargs] = entry as [string, unknown, unknown, unknown];
  if (node === -1) throw new WeightsError(`${subject} takes a constant value as its input (${shown(entry)}), which tfjs-layers cannot read.`);
  if (!isIndex(node) || !isIndex(tensor) || (kwargs != null && !isObject(kwargs))) {
    throw new WeightsError(`${subject} has an input in a form tfjs-layers cannot read: ${shown(entry)}; the node and tensor numbers must be whole numbers, 0 or more.`);
  }
  const layer = index.get(from);
  if (layer === undefined) throw new WeightsError(`${subject} ${verb} ${q(from)}, which is not a layer of this model.`);
  const outputs = layers[layer].outputs;
  if (outputs !== null && tensor >= outputs) {
    throw new WeightsError(`${subject} ${verb} output ${tensor} of ${q(from)}, which has only ${outputs === 1 ? 'one output (0)' : `${outputs} outputs (0 to ${outputs - 1})`}.`);
  }
  return { layer, node, tensor };
}

/** Reads input_layers or output_layers; returns how many there are. */
function readEnds(raw: unknown, key: string, layers: readonly Layer[], index: Map<string, number>, nodes: readonly number[], where: string): number {
  if (!Array.isArray(raw)) throw new WeightsError(`${where} has no ${key} list.`);
  if (typeof raw[0] === 'string') {
    throw new WeightsError(`${where}: ${key} is nested one level too few: ${shown(raw)} where tfjs-layers reads [${shown(raw)}].`);
  }
  for (const entry of raw) {
    const input = readInput(entry, `${where}: ${key}`, layers, index, 'names');
    if (input.node >= nodes[input.layer]) {
      const n = nodes[input.layer];
      throw new WeightsError(`${where}: ${key} names node ${input.node} of ${q(layers[input.layer].name)}, which has only ${n === 1 ? '1 node (node 0)' : `${n} nodes`}.`);
    }
  }
  return raw.length;
}
