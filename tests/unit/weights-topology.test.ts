/**
 * Model files tfjs-layers cannot deserialise (issue 14): each kind of malformed topology, written
 * from a small real tfjs model's saved model.json and then broken, ends in one plain WeightsError
 * naming the file and the layer, before tfjs sees it (several of these loop for ever inside tfjs),
 * and leaves no tensor or variable behind. Valid topologies with shared layers, nested models and
 * Sequential models still load.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeLoaded, loadModelFromSource, type LoadedModel } from '../../src/core/io/load';
import { WeightsError } from '../../src/core/io/manifest';
import { checkTopology, MAX_LAYERS } from '../../src/core/io/topology';
import '../../src/core/model/sampling-layer';
import {
  configOf, copyOf, decoderSource, layerOf, plainDecoder, save, sequentialDecoder, sharedAndNestedDecoder, type SavedModel,
} from './weights-topology-fixtures';

let plain: SavedModel;
let nested: SavedModel;
let sequential: SavedModel;

beforeAll(async () => {
  plain = await save(plainDecoder());
  nested = await save(sharedAndNestedDecoder());
  sequential = await save(sequentialDecoder());
});

const registeredVariables = () => Object.keys(tf.engine().registeredVariables).length;

/** Loads `model` as a decoder alone; expects a WeightsError matching `message`, and nothing left allocated. */
async function expectRefused(model: SavedModel, message: RegExp): Promise<string> {
  const tensors = tf.memory().numTensors;
  const variables = registeredVariables();
  const err = await loadModelFromSource(decoderSource(model), 'decoder/model.json').then(
    (loaded: LoadedModel) => {
      disposeLoaded(loaded);
      return new Error('expected the load to fail');
    },
    (e: unknown) => e as Error,
  );
  expect(err).toBeInstanceOf(WeightsError);
  expect(err.message).toMatch(message);
  expect(err.message.length).toBeLessThan(400);
  expect(tf.memory().numTensors).toBe(tensors);
  expect(registeredVariables()).toBe(variables);
  return err.message;
}

/** A copy of `model` broken by `edit`. */
function broken(model: SavedModel, edit: (json: tf.io.ModelJSON) => void): SavedModel {
  const copy = copyOf(model);
  edit(copy.json);
  return copy;
}

describe('topologies tfjs-layers reads still load', () => {
  it('a plain functional decoder, one with a shared layer and a nested model, and a Sequential one', async () => {
    for (const model of [plain, nested, sequential]) {
      const tensors = tf.memory().numTensors;
      const loaded = await loadModelFromSource(decoderSource(model), 'decoder/model.json');
      expect(loaded.decoder.outputs[0].shape).toEqual([null, 784]);
      disposeLoaded(loaded);
      expect(tf.memory().numTensors).toBe(tensors);
    }
  });

  it('the bundled model and a Keras export wrapped in model_config pass the check', async () => {
    for (const part of ['encoder', 'decoder']) {
      const json = JSON.parse(await readFile(join('public', 'models', 'mnist-2d', part, 'model.json'), 'utf8'));
      expect(() => checkTopology(json.modelTopology, { file: `${part}/model.json` })).not.toThrow();
    }
    const wrapped = { keras_version: '2.2.4', backend: 'tensorflow', model_config: nested.json.modelTopology };
    expect(() => checkTopology(wrapped, { file: 'decoder/model.json' })).not.toThrow();
  });
});

describe('inbound nodes tfjs-layers would loop on for ever', () => {
  it('nested one level too few (tensorflow/tfjs#7271, the shape of ../shared/cases/inbound-nodes-hang)', async () => {
    const model = broken(plain, (json) => {
      for (const layer of configOf(json).layers) layer.inbound_nodes = layer.inbound_nodes.map((call) => (call as unknown[])[0]);
    });
    expect(layerOf(model.json, 'dense_1').inbound_nodes).toEqual([['z_sampling', 0, 0, {}]]);
    await expectRefused(model, /^decoder\/model\.json: layer "dense_1" lists its inputs \(inbound_nodes\) nested one level too few: \["z_sampling",0,0,\{\}\] where tfjs-layers reads \[\["z_sampling",0,0,\{\}\]\]\.$/);
  });

  it('nested one level too many', async () => {
    const model = broken(plain, (json) => {
      layerOf(json, 'dense_2').inbound_nodes = [[[['dense_1', 0, 0, {}]]]];
    });
    await expectRefused(model, /^decoder\/model\.json: layer "dense_2" lists its inputs nested one level too many/);
  });

  it('an input from a misspelt layer name', async () => {
    const model = broken(plain, (json) => {
      layerOf(json, 'dense_1').inbound_nodes = [[['z_samplin', 0, 0, {}]]];
    });
    await expectRefused(model, /^decoder\/model\.json: layer "dense_1" takes its input from "z_samplin", which is not a layer of this model\.$/);
  });

  it('a node number past the calls of its layer', async () => {
    const model = broken(plain, (json) => {
      layerOf(json, 'dense_2').inbound_nodes = [[['dense_1', 3, 0, {}]]];
    });
    await expectRefused(model, /layer "dense_2" takes its input from node 3 of "dense_1", which has only 1 node \(node 0\)/);
  });

  it('an input from a layer that is never called', async () => {
    const model = broken(plain, (json) => {
      layerOf(json, 'dense_1').inbound_nodes = [];
    });
    await expectRefused(model, /layer "dense_2" takes its input from node 0 of "dense_1", which has no nodes at all \(it is never called\)/);
  });

  it('a node number one past a nested model’s calls (its own first node counts)', async () => {
    const model = broken(nested, (json) => {
      configOf(json).output_layers = [['head', 2, 0]];
    });
    await expectRefused(model, /output_layers names node 2 of "head", which has only 2 nodes/);
  });

  it('layers that take their inputs from each other in a circle, and a layer that takes its own output', async () => {
    const circle = broken(plain, (json) => {
      layerOf(json, 'dense_1').inbound_nodes = [[['dense_2', 0, 0, {}]]];
    });
    await expectRefused(circle, /layers take their inputs from each other in a circle \("dense_1" takes its input from "dense_2", which takes its input from "dense_1"\)/);
    const self = broken(plain, (json) => {
      layerOf(json, 'dense_2').inbound_nodes = [[['dense_2', 0, 0, {}]]];
    });
    await expectRefused(self, /layer "dense_2" takes its input from itself/);
  });

  it('a circle that waits on a node number that never comes', async () => {
    const model = broken(nested, (json) => {
      layerOf(json, 'shared').inbound_nodes = [[['widen', 0, 0, {}]], [['shared', 2, 0, {}]]];
    });
    await expectRefused(model, /layer "shared" takes its input from node 2 of "shared", which has only 2 nodes \(0 to 1\)/);
  });

  it('two layers of one name (tfjs keeps only the second and waits for the first for ever)', async () => {
    const model = broken(plain, (json) => {
      const first = layerOf(json, 'dense_1');
      first.name = 'dense_2';
      first.config.name = 'other';
    });
    await expectRefused(model, /layer "dense_2" appears twice; layer names must be unique/);
    const renamed = broken(plain, (json) => {
      layerOf(json, 'dense_1').config.name = 'dense_x';
    });
    await expectRefused(renamed, /layer "dense_1" is called "dense_x" inside its own config/);
  });
});

describe('malformations tfjs-layers fails on with a TypeError', () => {
  it('an output index past a Dense layer’s one output, and node numbers that are not whole numbers', async () => {
    await expectRefused(broken(plain, (json) => { layerOf(json, 'dense_2').inbound_nodes = [[['dense_1', 0, 2, {}]]]; }),
      /layer "dense_2" takes its input from output 2 of "dense_1", which has only one output \(0\)/);
    await expectRefused(broken(plain, (json) => { layerOf(json, 'dense_2').inbound_nodes = [[['dense_1', 0.5, 0, {}]]]; }),
      /layer "dense_2" has an input in a form tfjs-layers cannot read: \["dense_1",0\.5,0,\{\}\]; the node and tensor numbers must be whole numbers/);
    await expectRefused(broken(plain, (json) => { layerOf(json, 'dense_2').inbound_nodes = [[['_CONSTANT_VALUE', -1, 3, {}]]]; }),
      /layer "dense_2" takes a constant value as its input/);
  });

  it('a missing or empty list of inputs, and a Keras 3 node left untranslated', async () => {
    await expectRefused(broken(plain, (json) => { delete (layerOf(json, 'dense_2') as { inbound_nodes?: unknown }).inbound_nodes; }),
      /layer "dense_2" has no list of inputs \(inbound_nodes\)/);
    await expectRefused(broken(plain, (json) => { layerOf(json, 'dense_2').inbound_nodes = [[]]; }),
      /layer "dense_2" has an input \(inbound_nodes\) in a form tfjs-layers cannot read: \[\]/);
    const keras3 = { args: [{ class_name: '__keras_tensor__', config: { shape: [null, 16], dtype: 'float32', keras_history: ['dense_1', 0, 0] } }], kwargs: {} };
    await expectRefused(broken(plain, (json) => { layerOf(json, 'dense_2').inbound_nodes = [keras3]; }),
      /layer "dense_2" has an input \(inbound_nodes\) in a form tfjs-layers cannot read: \{"args":/);
  });

  it('input_layers and output_layers naming unknown layers or nested one level too few', async () => {
    await expectRefused(broken(plain, (json) => { configOf(json).output_layers = [['dense_3', 0, 0]]; }),
      /^decoder\/model\.json: output_layers names "dense_3", which is not a layer of this model\.$/);
    await expectRefused(broken(plain, (json) => { configOf(json).input_layers = ['z_sampling', 0, 0]; }),
      /input_layers is nested one level too few/);
    await expectRefused(broken(plain, (json) => { configOf(json).input_layers = []; }), /names no model inputs/);
  });

  it('a broken nested model is named with the layer that holds it', async () => {
    const model = broken(nested, (json) => {
      const head = layerOf(json, 'head').config as unknown as { layers: { name: string; inbound_nodes: unknown[] }[] };
      head.layers[1].inbound_nodes = [[['inner_inpt', 0, 0, {}]]];
    });
    await expectRefused(model, /^decoder\/model\.json: layer "inner_dense" of the inner model "head" takes its input from "inner_inpt", which is not a layer of this model\.$/);
  });

  it('a Sequential model without layers, a topology that is not a model, and unknown layer types', async () => {
    await expectRefused(broken(sequential, (json) => { (json.modelTopology as { config: { layers: unknown[] } }).config.layers = []; }), /decoder\/model\.json lists no layers/);
    await expectRefused(broken(plain, (json) => { (json.modelTopology as { class_name: string }).class_name = 'Dense'; }), /the topology is a "Dense", not a model/);
    await expectRefused(broken(plain, (json) => { layerOf(json, 'dense_2').class_name = 'toString'; }), /The decoder uses the layer type toString, which this app does not know\./);
  });

  it('more layers than any VAE has are refused before tfjs retries its queue over them', () => {
    const layers = Array.from({ length: MAX_LAYERS + 1 }, (_, i) => ({ name: `d${i}`, class_name: 'Dense', config: { units: 1 }, inbound_nodes: [] }));
    const topology = { class_name: 'Model', config: { name: 'm', layers, input_layers: [], output_layers: [] } };
    expect(() => checkTopology(topology, { file: 'big/model.json' })).toThrow(new WeightsError(`big/model.json has more than ${MAX_LAYERS} layers, more than this app reads.`));
  });
});

describe('layers declared too wide to build', () => {
  it('a Dense layer of 2e8 units is refused before tfjs initialises its weights (which held the worker a minute)', async () => {
    const model = broken(plain, (json) => {
      (layerOf(json, 'dense_1').config as Record<string, unknown>).units = 2e8;
    });
    await expectRefused(model, /^decoder\/model\.json: layer "dense_1" declares units 200000000; this app reads layers of 1 to 65536 units\.$/);
  });
});

describe('text from the file is cut before it reaches a message', () => {
  const huge = 'x'.repeat(10_000_000);

  it('a 10 MB input name through the whole loader gives a short message', async () => {
    const message = await expectRefused(broken(plain, (json) => { layerOf(json, 'dense_1').inbound_nodes = [[[huge, 0, 0, {}]]]; }), /takes its input from "x+…", which is not a layer/);
    expect(message.length).toBeLessThan(200);
  });

  it('a 10 MB layer name, layer type or name inside a layer config gives a short message', () => {
    const refusal = (edit: (json: tf.io.ModelJSON) => void): string => {
      const model = broken(plain, edit);
      try {
        checkTopology(model.json.modelTopology, { file: 'decoder/model.json', model: 'decoder' });
      } catch (err) {
        expect(err).toBeInstanceOf(WeightsError);
        return (err as Error).message;
      }
      throw new Error('expected the check to refuse the topology');
    };
    const messages = [
      refusal((json) => {
        const layer = layerOf(json, 'dense_2');
        [layer.name, layer.config.name] = [huge, huge];
        configOf(json).output_layers = [[huge, 0, 0]];
        layer.inbound_nodes = [[[huge, 0, 0, {}]]];
      }),
      refusal((json) => { layerOf(json, 'dense_2').class_name = huge; }),
      refusal((json) => { layerOf(json, 'dense_2').config.name = huge; }),
    ];
    expect(messages[0]).toMatch(/^decoder\/model\.json: layer "x+…" takes its input from itself/);
    expect(messages[1]).toMatch(/^The decoder uses the layer type x+…, which this app does not know\.$/);
    expect(messages[2]).toMatch(/layer "dense_2" is called "x+…" inside its own config/);
    for (const message of messages) expect(message.length).toBeLessThan(200);
  });
});
