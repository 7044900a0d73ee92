/**
 * Model files for the topology checks: small real tfjs decoders saved as a converter would save them
 * (model.json + weights), whose model.json a test then breaks in one way, loaded from memory.
 */
import * as tf from '@tensorflow/tfjs';
import { memorySource, type WeightsSource } from '../../src/core/io/load';
import { modelJsonFor, weightBytesOf } from '../../src/core/io/save';

/** A saved model: its model.json (parsed, to be edited) and its weight bytes. */
export interface SavedModel {
  json: tf.io.ModelJSON;
  weights: Uint8Array;
}

/** Loose access to a Keras 2 functional topology, for editing. */
export interface FunctionalConfig {
  name: string;
  layers: { name: string; class_name: string; config: Record<string, unknown>; inbound_nodes: unknown[] }[];
  input_layers: unknown[];
  output_layers: unknown[];
}

/** The functional config of a model.json (the decoder's own, not a nested one). */
export function configOf(json: tf.io.ModelJSON): FunctionalConfig {
  const topology = json.modelTopology as { config: FunctionalConfig; model_config?: { config: FunctionalConfig } };
  return topology.model_config?.config ?? topology.config;
}

/** A layer of a functional config by name. */
export function layerOf(json: tf.io.ModelJSON, name: string): FunctionalConfig['layers'][number] {
  const layer = configOf(json).layers.find((l) => l.name === name);
  if (!layer) throw new Error(`the fixture has no layer ${name}`);
  return layer;
}

/** Saves `model` through tfjs' own save path; the model is disposed. */
export async function save(model: tf.LayersModel): Promise<SavedModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  model.dispose();
  const artifacts = saved as tf.io.ModelArtifacts;
  return { json: JSON.parse(JSON.stringify(modelJsonFor(artifacts, 'weights.bin'))), weights: new Uint8Array(weightBytesOf(artifacts)) };
}

/** A copy of a saved model, whose model.json can be broken without touching the original. */
export function copyOf(model: SavedModel): SavedModel {
  return { json: JSON.parse(JSON.stringify(model.json)), weights: model.weights };
}

/** The files of a decoder loaded alone, at decoder/model.json and decoder/weights.bin. */
export function decoderSource(model: SavedModel): WeightsSource {
  const utf8 = new TextEncoder();
  return memorySource(new Map([
    ['decoder/model.json', utf8.encode(JSON.stringify(model.json))],
    ['decoder/weights.bin', model.weights],
  ]));
}

/** z [null, 2] -> dense_1 (16, relu) -> dense_2 (784): the plain decoder the broken files start from. */
export function plainDecoder(): tf.LayersModel {
  const z = tf.input({ shape: [2], name: 'z_sampling' });
  const h = tf.layers.dense({ units: 16, activation: 'relu', name: 'dense_1' }).apply(z) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 784, name: 'dense_2' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: z, outputs: out, name: 'decoder' });
}

/**
 * A decoder whose topology uses what the checks must not refuse: a layer called twice (its second
 * call is node 1) and a nested functional model called as a layer (its outer call is node 1).
 */
export function sharedAndNestedDecoder(): tf.LayersModel {
  const z = tf.input({ shape: [2], name: 'z_sampling' });
  const h = tf.layers.dense({ units: 8, activation: 'tanh', name: 'widen' }).apply(z) as tf.SymbolicTensor;
  const shared = tf.layers.dense({ units: 8, activation: 'tanh', name: 'shared' });
  const twice = shared.apply(shared.apply(h) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const innerInput = tf.input({ shape: [8], name: 'inner_input' });
  const innerOut = tf.layers.dense({ units: 784, name: 'inner_dense' }).apply(innerInput) as tf.SymbolicTensor;
  const inner = tf.model({ inputs: innerInput, outputs: innerOut, name: 'head' });
  const out = inner.apply(twice) as tf.SymbolicTensor;
  return tf.model({ inputs: z, outputs: out, name: 'decoder' });
}

/** The same plain decoder as a Sequential model. */
export function sequentialDecoder(): tf.LayersModel {
  const model = tf.sequential({ name: 'decoder' });
  model.add(tf.layers.dense({ units: 16, activation: 'relu', inputShape: [2], name: 'dense_1' }));
  model.add(tf.layers.dense({ units: 784, name: 'dense_2' }));
  return model;
}
