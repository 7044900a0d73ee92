/** tfjs for Node scripts and tests: the wasm backend (no native binary), or cpu on request. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

/** Selects and initialises a tfjs backend in Node; returns its name. */
export async function initNodeBackend(name: 'wasm' | 'cpu' = 'wasm'): Promise<string> {
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tfjs backend "${name}" could not start in Node`);
  }
  await tf.ready();
  return tf.getBackend();
}

export { tf };
