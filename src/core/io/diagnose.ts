/**
 * Naming the layer behind a tfjs deserialisation failure. tfjs-layers' own sentences name no file
 * and often no layer ("Corrupted configuration, expected array for nodeData: [object Object]"), so
 * when a whole model fails, each layer is built once on its own (a one-layer Sequential: nothing is
 * connected, so only the layer's own config is tried) to find the first one tfjs refuses.
 */
import * as tf from '../tf';
import { quoteFromFile, textFromFile } from './quote';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What tfjs-layers says when a one-layer Sequential has no input shape: the layer itself was built fine. */
const LAYER_WAS_FINE = /first layer in a Sequential model must get/i;
const MAX_TRIED = 500;

/** tfjs' sentence, cut to its first line and a length a message can hold. */
export function tfjsSaid(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return textFromFile(message.split('\n')[0].replace(/\.+$/, ''), 200);
}

/** The layer configs of a model config in the tfjs-layers form (functional or Sequential). */
function layersOf(modelTopology: unknown): Json[] {
  const top = isObject(modelTopology) && isObject(modelTopology.model_config) ? modelTopology.model_config : modelTopology;
  if (!isObject(top)) return [];
  const config = top.config;
  const list = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  return Array.isArray(list) ? list.filter(isObject) : [];
}

/**
 * The first layer tfjs-layers cannot construct from its config alone, as "layer "name" (Class)",
 * with tfjs' reason; null when every layer builds on its own (the fault is in how they connect).
 */
export async function unbuildableLayer(modelTopology: unknown): Promise<{ layer: string; reason: string } | null> {
  for (const raw of layersOf(modelTopology).slice(0, MAX_TRIED)) {
    const className = raw.class_name;
    if (typeof className !== 'string' || className === 'Functional' || className === 'Model' || className === 'Sequential') continue;
    const { inbound_nodes: _nodes, ...alone } = raw;
    const registry = tf.engine().registeredVariables;
    const before = new Set(Object.keys(registry));
    try {
      const model = await tf.models.modelFromJSON({ modelTopology: { class_name: 'Sequential', config: { name: 'probe', layers: [alone] } } } as unknown as tf.io.ModelJSON);
      model.dispose();
    } catch (err) {
      const reason = tfjsSaid(err);
      if (!LAYER_WAS_FINE.test(reason)) {
        const name = isObject(raw.config) ? raw.config.name : raw.name;
        return { layer: `layer ${quoteFromFile(name ?? '?')} (${textFromFile(className)})`, reason };
      }
    } finally {
      tf.dispose(Object.keys(registry).filter((n) => !before.has(n)).map((n) => registry[n]));
    }
  }
  return null;
}
