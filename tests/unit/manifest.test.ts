import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../src/core/model/config';
import { Vae } from '../../src/core/model/vae';
import { manifestFor, parseManifest, WeightsError } from '../../src/core/io/manifest';

const GOOD = {
  format: 'vae-playground',
  version: 1,
  latentDim: 2,
  image: [28, 28, 1],
  likelihood: 'bernoulli',
  decoderOutput: 'logits',
  encoder: 'encoder/model.json',
  decoder: 'decoder/model.json',
  dataset: 'mnist',
  classes: 10,
  conditional: false,
  training: { epochs: 30, testElbo: -144.1 },
};

function errorOf(json: unknown): string {
  try {
    parseManifest(json, 'vae.json');
  } catch (err) {
    expect(err).toBeInstanceOf(WeightsError);
    return (err as Error).message;
  }
  throw new Error('expected parseManifest to throw');
}

describe('parseManifest', () => {
  it('accepts the DESIGN.md example and returns its fields', () => {
    const m = parseManifest(structuredClone(GOOD), 'vae.json');
    expect(m).toEqual(GOOD);
  });

  it('keeps optional fields and drops unknown ones', () => {
    const config = makeConfig({ hidden: [32], latentDim: 2, likelihood: 'gaussian', gaussianVariance: 0.2 });
    const m = parseManifest(
      { ...GOOD, likelihood: 'gaussian', gaussianVariance: 0.2, config, extra: '<script>', training: { epochs: 1, testElbo: -200, steps: 469, backend: 'wasm', junk: 1 } },
      'vae.json',
    );
    expect(m.config).toEqual(config);
    expect(m.gaussianVariance).toBe(0.2);
    expect(m.training).toEqual({ epochs: 1, testElbo: -200, steps: 469, backend: 'wasm' });
    expect('extra' in m).toBe(false);
  });

  it('fills config fields added later from the defaults', () => {
    const { seed: _seed, batchSize: _batch, ...partial } = makeConfig({ hidden: [16], latentDim: 2 });
    const m = parseManifest({ ...GOOD, config: partial }, 'vae.json');
    expect(m.config?.hidden).toEqual([16]);
    expect(m.config?.batchSize).toBe(128);
  });

  it('lists the missing fields', () => {
    const { latentDim: _l, decoder: _d, ...rest } = GOOD;
    expect(errorOf(rest)).toBe('vae.json is missing the fields latentDim, decoder.');
    expect(errorOf({ format: 'vae-playground' })).toBe('vae.json is missing the fields version, latentDim, decoderOutput, decoder.');
  });

  it('names an unknown format', () => {
    expect(errorOf({ ...GOOD, format: 'keras' })).toMatch(/unknown format "keras"; this app reads "vae-playground"/);
  });

  it('refuses a newer version in plain words', () => {
    expect(errorOf({ ...GOOD, version: 2 })).toBe('vae.json: version 2 is newer than this app understands (1).');
  });

  it('names fields of the wrong type or value', () => {
    const message = errorOf({ ...GOOD, version: '1', latentDim: 'two', image: [32, 32, 3], likelihood: 'poisson', conditional: 'no', training: { epochs: 1.5, testElbo: 'bad' } });
    expect(message).toMatch(/^vae\.json has invalid fields: /);
    for (const field of ['version must be 1', 'latentDim must be a whole number', 'image must be [28, 28, 1]', 'likelihood must be', 'conditional must be true or false', 'training.epochs', 'training.testElbo']) {
      expect(message).toContain(field);
    }
    expect(errorOf({ ...GOOD, decoderOutput: 'sigmoid' })).toMatch(/decoderOutput must be "logits" or "probabilities"/);
    expect(errorOf({ ...GOOD, encoder: 3 })).toMatch(/encoder must be the path of a model\.json/);
    expect(errorOf({ ...GOOD, training: 5 })).toMatch(/training must be an object/);
    expect(errorOf({ ...GOOD, gaussianVariance: -1 })).toMatch(/gaussianVariance must be a positive number/);
  });

  it('checks the config against the manifest', () => {
    const config = makeConfig({ hidden: [16], latentDim: 3 });
    expect(errorOf({ ...GOOD, config })).toMatch(/config: .*latentDim 3 differs from the manifest's 2/);
    expect(errorOf({ ...GOOD, config: { ...makeConfig({ latentDim: 2 }), hidden: 'big' } })).toMatch(/config\.hidden has the wrong type/);
    expect(errorOf({ ...GOOD, config: { latentDim: 2 } })).toMatch(/config lacks inputDim, hidden, activation, likelihood/);
  });

  it('refuses things that are not manifests', () => {
    expect(errorOf([1, 2])).toMatch(/not a model manifest: it holds a list/);
    expect(errorOf('hello')).toMatch(/not a model manifest/);
    expect(errorOf(null)).toMatch(/not a model manifest/);
  });
});

describe('manifestFor', () => {
  it('describes a Vae and parses back unchanged', () => {
    const vae = Vae.create(makeConfig({ hidden: [8], latentDim: 3, likelihood: 'gaussian', gaussianVariance: 0.05 }));
    try {
      const m = manifestFor(vae, { dataset: 'fashion-mnist', training: { epochs: 2, testElbo: -250.5 } });
      expect(m).toMatchObject({ latentDim: 3, likelihood: 'gaussian', gaussianVariance: 0.05, decoderOutput: 'logits', dataset: 'fashion-mnist', classes: 10 });
      expect(m.encoder).toBe('encoder/model.json');
      expect(parseManifest(JSON.parse(JSON.stringify(m)), 'vae.json')).toEqual(m);
    } finally {
      vae.dispose();
    }
  });
});
