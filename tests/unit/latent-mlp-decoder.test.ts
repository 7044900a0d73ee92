import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../src/core/model/config';
import { Vae } from '../../src/core/model/vae';
import { MlpDecoder, validateSnapshot } from '../../src/core/latent/mlp-decoder';
import { decoderSnapshot } from '../../src/worker/readouts';

describe('plain-JS decoder over a weights snapshot', () => {
  for (const activation of ['relu', 'elu', 'tanh'] as const) {
    it(`matches the tfjs decoder (${activation})`, async () => {
      const vae = Vae.create(makeConfig({ hidden: [64, 32], latentDim: 3, activation, seed: 5 }));
      const snapshot = await decoderSnapshot(vae);
      expect(snapshot.layers.map((l) => [l.inDim, l.outDim])).toEqual([[3, 32], [32, 64], [64, 784]]);
      const decoder = new MlpDecoder(snapshot);
      const zs = [[0, 0, 0], [1.5, -0.5, 2], [-3, 1, 0.25]];
      const expected = tf.tidy(() => vae.decode(tf.tensor2d(zs)).arraySync());
      zs.forEach((z, i) => {
        const out = decoder.decode(z);
        let maxDiff = 0;
        for (let j = 0; j < 784; j++) maxDiff = Math.max(maxDiff, Math.abs(out[j] - expected[i][j]));
        expect(maxDiff).toBeLessThan(1e-5);
      });
      vae.dispose();
    });
  }

  it('rejects inconsistent snapshots in plain words', () => {
    const layer = { kernel: new Float32Array(6), bias: new Float32Array(3), inDim: 2, outDim: 3, activation: 'relu' as const };
    expect(() => validateSnapshot({ layers: [] })).toThrow(/no layers/);
    expect(() => validateSnapshot({ layers: [layer, { ...layer, inDim: 4, kernel: new Float32Array(12) }] })).toThrow(/takes 4 inputs but layer 1 gives 3/);
    expect(() => validateSnapshot({ layers: [{ ...layer, bias: new Float32Array(2) }] })).toThrow(/expected 2x3 and 3/);
  });
});
