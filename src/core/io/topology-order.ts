/**
 * Whether tfjs-layers can build a functional model's layers in some order. `Container.fromConfig`
 * queues every inbound node and retries, pass after pass, those whose inputs do not exist yet: a node
 * waiting for a layer that is never called often enough, or nodes waiting for each other in a circle,
 * keep it looping for ever. This replays that queue on the numbers alone (no layers are built), so
 * such a topology is refused in words before tfjs sees it.
 */
import { WeightsError } from './manifest';
import { quoteFromFile } from './quote';

/** One input of a layer call: output `tensor` of node `node` of layer `layer` (an index into the model's layers). */
export interface NodeInput {
  layer: number;
  node: number;
  tensor: number;
}

/** What the replay needs of one layer of a functional model. */
export interface OrderLayer {
  name: string;
  /** Nodes the layer has before any call: 1 for an InputLayer or a nested model, else 0. */
  initialNodes: number;
  /** Its calls (inbound nodes), each a list of inputs. */
  calls: NodeInput[][];
}

/** A layer and one of its calls that tfjs-layers could never make. */
interface Stuck {
  layer: number;
  call: NodeInput[];
}

/**
 * Replays tfjs-layers' node queue; returns how many nodes each layer ends with, or throws a
 * WeightsError naming the first input that can never exist (`where` prefixes the message).
 */
export function replayNodeQueue(layers: readonly OrderLayer[], where: string): number[] {
  const nodes = layers.map((l) => l.initialNodes);
  let pending: Stuck[] = layers.flatMap((l, layer) => l.calls.map((call) => ({ layer, call })));
  const ready = (call: NodeInput[]) => call.every((input) => nodes[input.layer] > input.node);
  for (;;) {
    const waiting: Stuck[] = [];
    for (const item of pending) {
      if (ready(item.call)) nodes[item.layer] += 1; // tfjs applies the layer: one more node
      else waiting.push(item);
    }
    if (waiting.length === 0) return nodes;
    if (waiting.length === pending.length) throw new WeightsError(explain(layers, nodes, waiting, where));
    pending = waiting;
  }
}

const q = (name: string) => quoteFromFile(name);
/** "which has …": "only 1 node (node 0)", "no nodes at all", "only 3 nodes (0 to 2)". */
const nodeWords = (n: number) => (n === 1 ? 'only 1 node (node 0)' : n === 0 ? 'no nodes at all (it is never called)' : `only ${n} nodes (0 to ${n - 1})`);

/** Why the first stuck call can never be made: an input node that never exists, or a circle of layers. */
function explain(layers: readonly OrderLayer[], nodes: readonly number[], stuck: readonly Stuck[], where: string): string {
  const firstStuck = new Map<number, NodeInput[]>();
  for (const s of stuck) if (!firstStuck.has(s.layer)) firstStuck.set(s.layer, s.call);
  const path: number[] = [];
  let layer = stuck[0].layer;
  for (;;) {
    const seen = path.indexOf(layer);
    if (seen >= 0) return circle(layers, path.slice(seen), where);
    path.push(layer);
    const call = firstStuck.get(layer) as NodeInput[];
    const missing = call.find((input) => nodes[input.layer] <= input.node) as NodeInput;
    const from = layers[missing.layer];
    const most = from.initialNodes + from.calls.length;
    if (missing.node >= most || !firstStuck.has(missing.layer)) {
      // The node asked for never exists: the layer is not called that often, or has made every call it can.
      const has = missing.node >= most ? most : nodes[missing.layer];
      return `${where}: layer ${q(layers[layer].name)} takes its input from node ${missing.node} of ${q(from.name)}, which has ${nodeWords(has)}; the node numbers do not match the layers' calls.`;
    }
    layer = missing.layer;
  }
}

function circle(layers: readonly OrderLayer[], loop: readonly number[], where: string): string {
  if (loop.length === 1) return `${where}: layer ${q(layers[loop[0]].name)} takes its input from itself, so it can never be built.`;
  const names = (loop.length > 5 ? loop.slice(0, 4) : [...loop, loop[0]]).map((i) => q(layers[i].name));
  const chain = `${names[0]} takes its input from ${names.slice(1).join(', which takes its input from ')}`;
  const end = loop.length > 5 ? `, and so on through ${loop.length} layers back to ${names[0]}` : '';
  return `${where}: layers take their inputs from each other in a circle (${chain}${end}), so they can never be built.`;
}
