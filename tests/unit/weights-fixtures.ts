/**
 * Test fixtures for loading weights: a Keras-style VAE built with tfjs-layers (the layer and class
 * names of a `tensorflowjs_converter` export of the Keras VAE example), written as a converter would
 * write it, and a small HTTP server that can play a CORS-enabled host, a huge file, or a broken one.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Sampling } from '../../src/core/model/sampling-layer';
import { directorySink } from '../../scripts/lib/weights-node';

/** Keras' encoder: image input [null, 28, 28, 1], conv + dense, outputs [z_mean, z_log_var, z] through a `Sampling` layer. */
export function kerasEncoder(latent = 2): tf.LayersModel {
  const input = tf.input({ shape: [28, 28, 1], name: 'encoder_input' });
  let h = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'conv2d' }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.flatten({ name: 'flatten' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: 16, activation: 'relu', name: 'dense' }).apply(h) as tf.SymbolicTensor;
  const mean = tf.layers.dense({ units: latent, name: 'z_mean' }).apply(h) as tf.SymbolicTensor;
  const logVar = tf.layers.dense({ units: latent, name: 'z_log_var' }).apply(h) as tf.SymbolicTensor;
  const z = new Sampling({ name: 'z' }).apply([mean, logVar]) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [mean, logVar, z], name: 'encoder' });
}

/** Keras' decoder: [null, latent] -> dense -> reshape -> transposed convolutions -> sigmoid [null, 28, 28, 1]. */
export function kerasDecoder(latent = 2): tf.LayersModel {
  const input = tf.input({ shape: [latent], name: 'z_sampling' });
  let h = tf.layers.dense({ units: 7 * 7 * 8, activation: 'relu', name: 'dense_1' }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.reshape({ targetShape: [7, 7, 8], name: 'reshape' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'conv2d_transpose' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'conv2d_transpose_1' }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid', name: 'conv2d_transpose_2' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'decoder' });
}

/** Rewrites a tfjs-written model.json the way tensorflowjs_converter writes a Keras model. */
async function asKerasExport(path: string): Promise<void> {
  const json = JSON.parse(await readFile(path, 'utf8'));
  json.format = 'layers-model';
  json.generatedBy = 'keras v2.15.0';
  json.convertedBy = 'TensorFlow.js Converter v4.22.0';
  json.modelTopology.class_name = 'Functional';
  json.modelTopology.keras_version = '2.15.0';
  json.modelTopology.backend = 'tensorflow';
  await writeFile(path, JSON.stringify(json));
}

/** Writes a Keras-style VAE to `dir` (vae.json, encoder/, decoder/) with a manifest that says the decoder gives probabilities. */
export async function writeKerasVae(dir: string, encoder: tf.LayersModel, decoder: tf.LayersModel, latent = 2): Promise<void> {
  const sink = directorySink(dir);
  await encoder.save(sink.handlerFor('encoder'));
  await decoder.save(sink.handlerFor('decoder'));
  await asKerasExport(join(dir, 'encoder', 'model.json'));
  await asKerasExport(join(dir, 'decoder', 'model.json'));
  const manifest = {
    format: 'vae-playground',
    version: 1,
    latentDim: latent,
    image: [28, 28, 1],
    likelihood: 'bernoulli',
    decoderOutput: 'probabilities',
    encoder: 'encoder/model.json',
    decoder: 'decoder/model.json',
    dataset: 'mnist <b>keras</b>',
    classes: 10,
    conditional: false,
    training: { epochs: 30, testElbo: -150.25, command: 'python vae.py <script>alert(1)</script>' },
  };
  await sink.writeManifest(JSON.stringify(manifest));
}

/** Options of `serveFolder`. */
export interface ServeOptions {
  /** Send `Access-Control-Allow-Origin: *`. */
  cors?: boolean;
}

/**
 * Serves `dir` over HTTP on 127.0.0.1. Paths with "page" are HTML, paths under /huge/ announce
 * 250 MB and send nothing, paths under /broken/ ending in .bin break off half way.
 */
export function serveFolder(dir: string, { cors = false }: ServeOptions = {}): Promise<Server & { base: string }> {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const headers: Record<string, string | number> = cors ? { 'access-control-allow-origin': '*' } : {};
    if (path.startsWith('/huge/')) {
      res.writeHead(200, { ...headers, 'content-type': 'application/octet-stream', 'content-length': 250 * 1024 * 1024 });
      res.flushHeaders();
      setTimeout(() => res.destroy(), 50);
      return;
    }
    try {
      const data = await readFile(join(dir, path));
      const type = path.includes('page') ? 'text/html' : path.endsWith('.json') ? 'application/json' : 'application/octet-stream';
      res.writeHead(200, { ...headers, 'content-type': type, 'content-length': data.length });
      if (path.startsWith('/broken/') && path.endsWith('.bin')) {
        res.write(data.subarray(0, data.length >> 1));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.end(data);
    } catch {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => done(Object.assign(server, { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }))),
  );
}
