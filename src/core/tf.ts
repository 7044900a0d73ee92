/**
 * TensorFlow.js as this project uses it: tfjs-core (tensors, ops, gradients, optimizers, io) and
 * tfjs-layers (the LayersModels of the weights format), without the `@tensorflow/tfjs` umbrella's
 * converter, data and backend packages. Every module of src/ imports tfjs from here.
 *
 * The backends and the gradients are registered once by the entry points: src/worker/tf-browser.ts
 * in the browser (tfjs-core's own registration module, as the umbrella does), scripts/lib/tf-node.ts
 * in Node (where that ES module, written without file extensions, does not load: the umbrella's
 * Node bundle registers them).
 */
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
