/**
 * The one step between reading a model.json and handing it to tfjs: a Keras 3 topology is
 * translated into the Keras 2 form tfjs-layers reads (keras3.ts), then the model is pruned to the
 * outputs the app uses (prune.ts): the encoder's mean and log-variance (or its mean alone), every
 * output of the decoder. The structure is checked (topology.ts) before pruning and again, with the
 * layer classes, before tfjs builds the model (artifacts.ts).
 */
import * as tf from '../tf';
import type { ModelFile, Part } from './artifacts';
import { isKeras3Topology, keras3ToTfjs } from './keras3';
import { isObject } from './manifest-fields';
import { pruneToOutputs } from './prune';
import { showLocation } from './quote';
import { checkTopology } from './topology';

/** Whether tfjs' class registry can build `className` (the app's `Sampling` layer included once registered). */
function tfjsKnowsClass(className: string): boolean {
  return Object.prototype.hasOwnProperty.call(tf.serialization.SerializationMap.getMap().classNameMap, className);
}

/** The names of a functional model's outputs (`output_layers`' layers), in order; [] when unreadable. */
function outputNames(topology: unknown): string[] {
  const top = isObject(topology) && isObject(topology.model_config) ? topology.model_config : topology;
  const ends = isObject(top) && isObject(top.config) ? top.config.output_layers : null;
  return Array.isArray(ends) ? ends.map((e) => (Array.isArray(e) && typeof e[0] === 'string' ? e[0] : '')) : [];
}

/**
 * Which of an encoder's outputs are the mean and the log-variance: the ones named so (z_mean, mu;
 * z_log_var, logvar, log_sigma), in whatever order the file lists them; else the first two (or the mean alone).
 */
export function posteriorOutputs(names: readonly string[], count: number): number[] {
  const mean = names.findIndex((n) => /mean|(^|_)mu($|_|\d)/i.test(n));
  const logVar = names.findIndex((n) => /log_?var|logvar|log_?sigma/i.test(n));
  if (mean >= 0 && logVar >= 0 && mean !== logVar) return [mean, logVar];
  return count >= 2 ? [0, 1] : [0];
}

/**
 * `file` with its topology in the tfjs-layers form and cut to the outputs used; `dropped` lists the
 * layers removed (their stored weights are skipped). Throws WeightsError, naming the file and the
 * layer, when an output the app needs goes through a layer tfjs cannot build.
 */
export function prepareModelFile(file: ModelFile, part: Part): ModelFile {
  const where = showLocation(file.location);
  let topology: unknown = file.json.modelTopology;
  const keras3 = isKeras3Topology(topology);
  if (keras3) topology = keras3ToTfjs(topology, where);
  // The structure first (any class allowed: pruning may remove unknown ones), so pruning follows only well-formed nodes.
  checkTopology(topology, { file: where, model: part, isKnownClass: () => true });
  const names = outputNames(topology);
  const posterior = posteriorOutputs(names, names.length);
  const encoderOutput = (i: number) => (i === posterior[0] ? `mean (output ${i + 1})` : i === posterior[1] ? `log-variance (output ${i + 1})` : `output ${i + 1}`);
  const pruned = pruneToOutputs(topology, {
    file: where,
    part,
    keep: (n) => (part === 'encoder' ? posteriorOutputs(names, n) : Array.from({ length: n }, (_, i) => i)),
    outputName: (i) => (part === 'encoder' ? encoderOutput(i) : i === 0 ? 'image (output 1)' : `output ${i + 1}`),
    isKnownClass: tfjsKnowsClass,
  });
  return {
    ...file,
    json: { ...file.json, modelTopology: pruned.topology as tf.io.ModelJSON['modelTopology'] },
    dropped: pruned.dropped,
    keras3,
  };
}
