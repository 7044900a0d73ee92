/**
 * Fixtures for loading models made elsewhere (issue 13): small real tfjs models saved as tfjs saves
 * them, then rewritten on disk into the layouts other tools write: a Keras 3 export as
 * `tensorflowjs_converter` 4.22 writes it for a Keras 3 model (written here from the documented
 * layout, not by the app's translator), a Keras 2 model whose sampling is a `Lambda`, and a
 * PyTorch state dict as a `.safetensors` file, written byte by byte from the format's spec.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

type Json = Record<string, unknown>;
/** A saved model: its model.json (Keras 2 form, as tfjs writes it) and its weight bytes. */
export interface Saved {
  json: Json & { modelTopology: Json; weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[] };
  weights: Uint8Array;
}

/** Saves `model` through tfjs' own save path (the model stays usable). */
export async function saveModel(model: tf.LayersModel): Promise<Saved> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
  }));
  const a = saved as tf.io.ModelArtifacts;
  const json = {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: JSON.parse(JSON.stringify(a.modelTopology)),
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: JSON.parse(JSON.stringify(a.weightSpecs)) }],
  };
  return { json, weights: new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData as ArrayBuffer)) };
}

/** Writes `<dir>/<part>/model.json` and its shard. */
export async function writeSaved(dir: string, part: string, saved: Saved): Promise<void> {
  await mkdir(join(dir, part), { recursive: true });
  await writeFile(join(dir, part, 'model.json'), JSON.stringify(saved.json));
  await writeFile(join(dir, part, 'group1-shard1of1.bin'), saved.weights);
}

/** Writes a manifest of only the fields the app requires (no training record, no image, no dataset), plus `extra`. */
export async function writeManifest(dir: string, latentDim: number, decoderOutput: 'logits' | 'probabilities', extra: Json = {}): Promise<void> {
  const manifest = { format: 'vae-playground', version: 1, latentDim, decoderOutput, encoder: 'encoder/model.json', decoder: 'decoder/model.json', ...extra };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'vae.json'), JSON.stringify(manifest));
}

const POLICY = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

/** A Keras 3 `__keras_tensor__` reference to output `tensor` of node `node` of `layer`. */
function kerasTensor(entry: unknown[]): Json {
  return { class_name: '__keras_tensor__', config: { shape: null, dtype: 'float32', keras_history: [entry[0], entry[1], entry[2]] } };
}

/** A Keras 3 initializer/regularizer object: Keras 2's `{class_name, config}` with `module` and `registered_name`. */
function keras3Objects(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keras3Objects);
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) out[k] = keras3Objects(v);
  if ('class_name' in out && 'config' in out) return { module: 'keras.initializers', ...out, registered_name: null };
  return out;
}

/** One layer in Keras 3's layout (Keras 2 layer `raw`, as tfjs saved it). */
function keras3Layer(raw: Json): Json {
  const config = keras3Objects(raw.config) as Json;
  const name = raw.name ?? config.name;
  if (raw.class_name === 'InputLayer') {
    const { batch_input_shape: shape, ...rest } = config;
    return { module: 'keras.layers', class_name: 'InputLayer', config: { ...rest, batch_shape: shape, dtype: 'float32', sparse: false, name }, registered_name: null, name, inbound_nodes: [] };
  }
  const custom = raw.class_name === 'Sampling';
  const calls = (raw.inbound_nodes as unknown[][][] | undefined) ?? [];
  return {
    module: custom ? null : 'keras.layers',
    class_name: raw.class_name,
    config: { ...config, name, trainable: true, dtype: POLICY },
    registered_name: custom ? 'Sampling' : null,
    build_config: { input_shape: [null, 2] },
    name,
    // One positional argument: the tensor itself, or the list of tensors a merging layer takes.
    inbound_nodes: calls.map((call) => ({ args: [call.length === 1 ? kerasTensor(call[0]) : call.map(kerasTensor)], kwargs: {} })),
  };
}

/**
 * `saved` rewritten as tensorflowjs_converter writes a Keras 3 model (TF >= 2.16): keras_version 3,
 * `model_config` of class Functional or Sequential, the layers as `keras3Layer` writes them, and every
 * weight name prefixed with the model's name ("decoder/dense_1/kernel", tensorflow/tfjs#8321).
 */
export function asKeras3(saved: Saved, modelName: string): Saved {
  const topology = saved.json.modelTopology;
  const spec = (topology.model_config ?? topology) as Json;
  const config = spec.config as Json;
  let modelConfig: Json;
  if (spec.class_name === 'Sequential') {
    const layers = (Array.isArray(config) ? config : (config.layers as Json[])).map((l) => keras3Layer(l as Json));
    modelConfig = { module: 'keras', class_name: 'Sequential', config: { name: modelName, trainable: true, dtype: POLICY, layers }, registered_name: null, build_config: {} };
  } else {
    const layers = (config.layers as Json[]).map(keras3Layer);
    modelConfig = { module: 'keras.src.models.functional', class_name: 'Functional', config: { name: modelName, trainable: true, layers, input_layers: config.input_layers, output_layers: config.output_layers }, registered_name: 'Functional' };
  }
  const weightsManifest = saved.json.weightsManifest.map((g) => ({ ...g, weights: g.weights.map((w) => ({ ...w, name: `${modelName}/${w.name}` })) }));
  const json = { ...saved.json, generatedBy: 'keras v3.6.0', modelTopology: { keras_version: '3.6.0', backend: 'tensorflow', model_config: modelConfig }, weightsManifest };
  return { json, weights: saved.weights };
}

/** `saved` (an encoder with a `Sampling` layer named `sampled`) with that layer turned into a Keras 2 `Lambda`, whose function is bytecode a browser never runs. */
export function withLambda(saved: Saved, layerName: string): Saved {
  const json = JSON.parse(JSON.stringify(saved.json)) as Saved['json'];
  const layers = (json.modelTopology.config as { layers: Json[] }).layers;
  const layer = layers.find((l) => l.name === layerName);
  if (!layer) throw new Error(`the fixture has no layer ${layerName}`);
  layer.class_name = 'Lambda';
  layer.config = { name: layerName, trainable: true, function: ['4wEAAAAAAAAAAAAAAAMAAAAT', null, null], function_type: 'lambda', output_shape: [2], output_shape_type: 'raw', arguments: {} };
  json.modelTopology.class_name = 'Model';
  return { json, weights: saved.weights };
}

/** One tensor of a state dict: its name, shape and row-major values (PyTorch's layout). */
export type StateTensor = [name: string, shape: number[], values: Float32Array];

/**
 * A `.safetensors` file, byte by byte (https://github.com/huggingface/safetensors#format): the header
 * length as an unsigned 64-bit little-endian number, the JSON header padded with spaces to 8 bytes,
 * then each tensor's little-endian values. `dtype` F16/BF16 stores each value's top bits.
 */
export function safetensorsBytes(tensors: readonly StateTensor[], dtype: 'F32' | 'F16' | 'BF16' = 'F32'): Uint8Array {
  const size = dtype === 'F32' ? 4 : 2;
  const header: Json = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, shape, values] of tensors) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + values.length * size] };
    offset += values.length * size;
  }
  let head = new TextEncoder().encode(JSON.stringify(header));
  const padded = new Uint8Array(Math.ceil(head.length / 8) * 8).fill(0x20);
  padded.set(head);
  head = padded;
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, head.length, true); // low 32 bits; the high 32 bits stay 0
  out.set(head, 8);
  let at = 8 + head.length;
  const f32 = new DataView(new ArrayBuffer(4));
  for (const [, , values] of tensors) {
    for (const v of values) {
      if (dtype === 'F32') view.setFloat32(at, v, true);
      else if (dtype === 'BF16') {
        f32.setFloat32(0, v);
        view.setUint16(at, f32.getUint16(0), true); // the float32's top 16 bits
      } else view.setUint16(at, toHalf(v), true);
      at += size;
    }
  }
  return out;
}

/** A number exactly representable in half precision (the tests use such values), as IEEE binary16 bits. */
function toHalf(v: number): number {
  if (v === 0) return Object.is(v, -0) ? 0x8000 : 0;
  const sign = v < 0 ? 0x8000 : 0;
  const a = Math.abs(v);
  const exponent = Math.floor(Math.log2(a));
  if (exponent < -14) return sign | Math.round(a / 2 ** -24); // subnormal
  return sign | ((exponent + 15) << 10) | Math.round((a / 2 ** exponent - 1) * 1024);
}

/** Seeded uniform values in [-scale, scale), for weights the tests can recompute by hand. */
export function seededValues(count: number, seed: number, scale = 0.2): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

/** y = x W^T + b for an nn.Linear stored [out, in] (plain JS, float64). */
export function linear(x: ArrayLike<number>, w: Float32Array, b: Float32Array | null, outs: number, ins: number): Float64Array {
  const y = new Float64Array(outs);
  for (let o = 0; o < outs; o++) {
    let sum = b ? b[o] : 0;
    for (let i = 0; i < ins; i++) sum += w[o * ins + i] * x[i];
    y[o] = sum;
  }
  return y;
}

export const relu = (v: Float64Array) => v.map((x) => Math.max(0, x));
export const sigmoid = (v: Float64Array) => v.map((x) => 1 / (1 + Math.exp(-x)));

/** The largest absolute difference between two equally long lists of numbers. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
