/** The model-family seam: VaeConfig.family picks an encoder/decoder pair from model/families.ts. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { manifestFor, parseManifest } from '../../src/core/io/manifest';
import { makeConfig } from '../../src/core/model/config';
import { familyOf } from '../../src/core/model/families';
import { LAYER_NAMES } from '../../src/core/model/mlp';
import { Vae } from '../../src/core/model/vae';

describe('model families', () => {
  it('the default family is the MLP; an unknown one is refused in words', () => {
    expect(makeConfig().family).toBe('mlp');
    expect(familyOf(makeConfig()).name).toBe('mlp');
    expect(() => makeConfig({ family: 'rnn' as never })).toThrow(/unknown model family "rnn"/);
  });

  it('a Vae of the MLP family: its variables encoder first, its decoder as dense layers, its forward pass', () => {
    const vae = Vae.create(makeConfig({ hidden: [16, 8], latentDim: 3 }));
    const names = vae.trainableVariables().map((v) => v.name.split('/').slice(-2, -1)[0]);
    expect(names).toEqual(['encoder_dense_1', 'encoder_dense_1', 'encoder_dense_2', 'encoder_dense_2', 'z_mean', 'z_mean', 'z_log_var', 'z_log_var', 'decoder_dense_1', 'decoder_dense_1', 'decoder_dense_2', 'decoder_dense_2', 'decoder_logits', 'decoder_logits']);
    expect(vae.decoderDenseLayers()?.map((l) => l.name)).toEqual(['decoder_dense_1', 'decoder_dense_2', 'decoder_logits']);
    const [mean, pixels] = tf.tidy(() => [vae.encode(tf.zeros([2, 784])).mean, vae.decode(tf.zeros([2, 3]))]);
    expect(mean.shape).toEqual([2, 3]);
    expect(pixels.shape).toEqual([2, 784]);
    tf.dispose([mean, pixels]);
    vae.dispose();
  });

  it('models without a layer the config implies are refused in words', () => {
    const fresh = Vae.create(makeConfig({ hidden: [8], latentDim: 2 }));
    expect(() => new Vae(makeConfig({ hidden: [8, 4], latentDim: 2 }), fresh.encoder, fresh.decoder)).toThrow(new RegExp(LAYER_NAMES.encoderHidden(1)));
    fresh.dispose();
  });

  it('the manifest carries the family in its config; one written before families reads as the MLP', () => {
    const vae = Vae.create(makeConfig({ hidden: [8], latentDim: 2 }));
    const manifest = manifestFor(vae, { dataset: 'mnist', training: { epochs: 0, testElbo: -500 } });
    expect(manifest.config?.family).toBe('mlp');
    const { family: _, ...older } = manifest.config!;
    expect(parseManifest({ ...manifest, config: older }, 'vae.json').config?.family).toBe('mlp');
    expect(() => parseManifest({ ...manifest, config: { ...older, family: 'rnn' } }, 'vae.json')).toThrow(/unknown model family "rnn"/);
    vae.dispose();
  });
});
