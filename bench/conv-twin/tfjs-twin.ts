/**
 * Twin run, tfjs side: the conv family from the initial weights bench/conv-twin/torch_twin.py
 * wrote, on the same batches (the first STEPS of the training set, in order) with the same noise,
 * Adam 1e-3 with epsilon 1e-7, on the training ops VAE_KERNELS names (accelerated or stock).
 * Prints one JSON line: tfjs's and PyTorch's loss at the first steps, and both means over the last
 * 100 steps (nats per example).
 *
 *   npx tsx bench/conv-twin/tfjs-twin.ts /tmp/twin-1
 *   VAE_KERNELS=stock npx tsx bench/conv-twin/tfjs-twin.ts /tmp/twin-1
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import { initNodeBackend, kernelsFromEnv, tf } from '../../scripts/lib/tf-node';
import { makeConfig } from '../../src/core/model/config';
import { Vae } from '../../src/core/model/vae';
import { Adam } from '../../src/core/train/adam';

const dir = process.argv[2];
if (!dir) throw new Error('usage: npx tsx bench/conv-twin/tfjs-twin.ts DIR (written by torch_twin.py)');
await initNodeBackend('wasm');
const images = (await loadDatasetFromDir()).train.images;
const init = JSON.parse(readFileSync(join(dir, 'init.json'), 'utf8')) as Record<string, [number[], number[]]>;
const torch = JSON.parse(readFileSync(join(dir, 'torch.json'), 'utf8')) as [number, number][];
const eps = new Float32Array(readFileSync(join(dir, 'eps.f32')).buffer.slice(0));
const B = 128;
const Z = init.z_mean[1].length;
const steps = eps.length / (B * Z);

const vae = Vae.create(makeConfig({ family: 'conv', latentDim: Z }));
for (const layer of [...vae.encoder.layers, ...vae.decoder.layers]) {
  const weights = init[layer.name];
  if (!weights) continue;
  const [kernel, bias] = layer.getWeights();
  layer.setWeights([tf.tensor(weights[0], kernel.shape), tf.tensor(weights[1], bias.shape)]);
}
const variables = vae.trainableVariables();
const adam = new Adam({ epsilon: 1e-7 });
const ours: [number, number][] = [];
for (let s = 0; s < steps; s++) {
  const [loss, kl] = tf.tidy(() => {
    const x = tf.tensor2d(images.subarray(s * B * 784, (s + 1) * B * 784), [B, 784]); // [B, 784]
    const e = tf.tensor2d(eps.subarray(s * B * Z, (s + 1) * B * Z), [B, Z]); // [B, Z]
    let klMean: tf.Scalar | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const terms = vae.lossTerms(x, e);
      klMean = tf.keep(tf.mean(terms.kl) as tf.Scalar);
      return tf.mean(tf.add(terms.reconstruction, terms.kl)) as tf.Scalar;
    }, variables);
    adam.apply(variables, variables.map((v) => grads[v.name]), 1e-3);
    return [value.dataSync()[0], (klMean as unknown as tf.Scalar).dataSync()[0]];
  });
  ours.push([loss, kl]);
}
const last100 = (rows: [number, number][], i: number) => Math.round((rows.slice(-100).reduce((sum, r) => sum + r[i], 0) / 100) * 100) / 100;
const round = (v: number) => Math.round(v * 1e4) / 1e4;
console.log(
  JSON.stringify({
    impl: 'tfjs',
    kernels: kernelsFromEnv(),
    dir,
    steps,
    loss_at_steps_0_1_2: ours.slice(0, 3).map((r) => round(r[0])),
    torch_at_steps_0_1_2: torch.slice(0, 3).map((r) => r[0]),
    last100_loss: { tfjs: last100(ours, 0), torch: last100(torch, 0) },
    last100_kl: { tfjs: last100(ours, 1), torch: last100(torch, 1) },
  }),
);
