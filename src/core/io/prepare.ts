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
import { pruneToOutputs } from './prune';
import { showLocation } from './quote';
import { checkTopology } from './topology';

/** Whether tfjs' class registry can build `className` (the app's `Sampling` layer included once registered). */
function tfjsKnowsClass(className: string): boolean {
  return Object.prototype.hasOwnProperty.call(tf.serialization.SerializationMap.getMap().classNameMap, className);
}

const ENCODER_OUTPUTS = ['mean (output 1)', 'log-variance (output 2)'];

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
  const pruned = pruneToOutputs(topology, {
    file: where,
    part,
    keep: (n) => (part === 'encoder' ? (n >= 2 ? [0, 1] : [0]) : Array.from({ length: n }, (_, i) => i)),
    outputName: (i) => (part === 'encoder' ? ENCODER_OUTPUTS[i] : i === 0 ? 'image (output 1)' : `output ${i + 1}`) ?? `output ${i + 1}`,
    isKnownClass: tfjsKnowsClass,
  });
  return {
    ...file,
    json: { ...file.json, modelTopology: pruned.topology as tf.io.ModelJSON['modelTopology'] },
    dropped: pruned.dropped,
    keras3,
  };
}
