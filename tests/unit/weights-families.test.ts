/**
 * The convolutional family and conditional models in the weights format (issue 12): the manifest
 * says the family, `conditional` and `classes`; saved to a folder and loaded back, the models decode
 * and encode exactly as before and train further.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directorySink, loadModelFromDirectory } from '../../scripts/lib/weights-node';
import { disposeLoaded } from '../../src/core/io/load';
import { parseManifest } from '../../src/core/io/manifest';
import { saveVae } from '../../src/core/io/save';
import { vaeFromLoaded } from '../../src/core/io/to-vae';
import { checkDecoder, checkEncoder } from '../../src/core/io/validate';
import { oneHot } from '../../src/core/model/conditional';
import { makeConfig, type VaeConfig } from '../../src/core/model/config';
import { Vae } from '../../src/core/model/vae';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vae-families-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

const cases: { name: string; config: Partial<VaeConfig> }[] = [
  { name: 'conv, 16-D', config: { family: 'conv', latentDim: 16 } },
  { name: 'conditional MLP, 2-D', config: { hidden: [64], latentDim: 2, conditional: true } },
  { name: 'conditional conv, 2-D', config: { family: 'conv', latentDim: 2, conditional: true } },
];

describe('saving and loading model families', () => {
  for (const { name, config } of cases) {
    it(`${name}: the manifest says what it is; loaded back it decodes and encodes the same and trains`, async () => {
      const full = makeConfig({ seed: 9, ...config });
      const vae = Vae.create(full);
      const dir = join(root, name.replace(/\W+/g, '-'));
      await saveVae(vae, directorySink(dir), { dataset: 'mnist', training: { epochs: 0 } });
      const json = JSON.parse(await readFile(join(dir, 'vae.json'), 'utf8'));
      expect(json.family).toBe(full.family);
      expect(json.conditional).toBe(full.conditional);
      expect(json.classes).toBe(10);
      expect(json.config.family).toBe(full.family);

      const before = tf.memory().numTensors;
      const loaded = await loadModelFromDirectory(dir);
      const again = vaeFromLoaded(loaded);
      expect(again.config.family).toBe(full.family);
      expect(again.config.conditional).toBe(full.conditional);
      const diffs = tf.tidy(() => {
        const c = full.conditional ? oneHot([3, 7], 10) : undefined;
        const z = tf.randomNormal([2, full.latentDim], 0, 1, 'float32', 1) as tf.Tensor2D;
        const x = tf.randomUniform([2, 784], 0, 1, 'float32', 2) as tf.Tensor2D;
        // The loaded weights train: the loss's gradient reaches every variable.
        const loss = () => {
          const terms = again.lossTerms(x, z, c); // z as the noise eps
          return tf.add(tf.mean(terms.reconstruction), tf.mean(terms.kl)) as tf.Scalar;
        };
        const { grads } = tf.variableGrads(loss, again.trainableVariables());
        const reached = Object.values(grads).filter((g) => tf.max(tf.abs(g)).dataSync()[0] > 0).length;
        return { decode: maxDiff(vae.decode(z, c), again.decode(z, c)), encode: maxDiff(vae.encode(x, c).mean, again.encode(x, c).mean), reached };
      });
      expect(diffs.decode).toBe(0);
      expect(diffs.encode).toBe(0);
      expect(diffs.reached).toBe(again.trainableVariables().length);
      disposeLoaded(loaded);
      expect(tf.memory().numTensors).toBe(before);
      vae.dispose();
    });
  }

  it('a manifest whose family or conditional differs from its config is refused in words; an unknown family too', () => {
    const vae = Vae.create(makeConfig({ hidden: [8], latentDim: 2, conditional: true }));
    const json = { format: 'vae-playground', version: 1, latentDim: 2, decoderOutput: 'logits', decoder: 'decoder/model.json', conditional: true, family: 'mlp', config: { ...vae.config } };
    expect(parseManifest(json, 'vae.json').family).toBe('mlp');
    expect(() => parseManifest({ ...json, conditional: false }, 'vae.json')).toThrow(/conditional differs/);
    expect(() => parseManifest({ ...json, family: 'conv' }, 'vae.json')).toThrow(/family differs/);
    expect(() => parseManifest({ ...json, family: 'rnn' }, 'vae.json')).toThrow(/family must be "mlp" or "conv"/);
    vae.dispose();
  });

  it('the checks take a second input only when it is a one-hot class [null, classes]', () => {
    const vae = Vae.create(makeConfig({ hidden: [8], latentDim: 2, conditional: true }));
    expect(checkEncoder(vae.encoder)).toBe(2);
    expect(checkDecoder(vae.decoder)).toBe(2);
    const image = tf.input({ shape: [784] });
    const other = tf.input({ shape: [28, 28] });
    const odd = tf.model({ inputs: [image, other], outputs: [image, image] });
    expect(() => checkEncoder(odd)).toThrow(/has 2 inputs; expected the image, and for a conditional model the one-hot class/);
    vae.dispose();
  });
});
