/**
 * What the browser build gives for Node's `buffer` module (vite.config.ts aliases it here). Its one
 * importer is typedarray-pool, under Plotly's gl-text: it asks `Buffer.isBuffer(array)` before pooling
 * an array, and makes a Buffer only when asked for one by type, which Plotly never does. In a browser
 * nothing is a Node Buffer, so this answers that and no more (the npm `buffer` polyfill would add
 * about 25 kB for this one question).
 */
export class Buffer {
  /** Nothing is a Node Buffer in the browser. */
  static isBuffer(_value: unknown): boolean {
    return false;
  }

  constructor() {
    throw new Error('Node Buffers are not available in the browser.');
  }
}

export default { Buffer };
