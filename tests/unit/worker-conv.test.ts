/**
 * The worker with a convolutional model (issue 12.3): ?arch=conv starts fresh conv weights; its
 * decoder has no plain-JavaScript copy, so the model says the worker decodes until the decoder
 * worker's copy has the weights posted for it (kind 'network'), and a decode request is answered with the digit; it trains a step and shows its manifold.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { handlerHarness } from './support/handler';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import { configFromSettings, parseSettings, serializeSettings } from '../../src/app/state/settings';
import { matchesBundled } from '../../src/app/weights/bundled';
import { takeFirst, type DatasetSplits } from '../../src/core/data/dataset';
import { axisPlane } from '../../src/core/latent/plane';

let small: DatasetSplits;
beforeAll(async () => {
  const mnist = await loadDatasetFromDir();
  small = { name: 'mnist-small', train: takeFirst(mnist.train, 200), test: takeFirst(mnist.test, 100) };
});

describe('?arch=conv', () => {
  it('the address sets the family (left out when it is the MLP) and starts fresh weights instead of the bundled model', () => {
    const { settings, problems } = parseSettings('?arch=conv&latent=16');
    expect(problems).toEqual([]);
    expect(configFromSettings(settings).family).toBe('conv');
    expect(serializeSettings(settings)).toContain('arch=conv');
    expect(matchesBundled({ ...settings, latent: 2 })).toBe(false);
    expect(serializeSettings(parseSettings('').settings)).not.toContain('arch');
    expect(parseSettings('?arch=rnn').problems[0]).toMatch(/Ignored arch=rnn/);
  });

  it('?conditional=1 asks for a conditional VAE (fresh weights), left out of the address when off', () => {
    const { settings } = parseSettings('?conditional=1');
    expect(configFromSettings(settings)).toMatchObject({ family: 'mlp', conditional: true, classes: 10 });
    expect(serializeSettings(settings)).toContain('conditional=1');
    expect(matchesBundled(settings)).toBe(false);
    expect(parseSettings('?conditional=0').settings.conditional).toBe(false);
    expect(parseSettings('?conditional=yes').problems[0]).toMatch(/Ignored conditional=yes/);
  });

  it('the worker decodes a conv model: its weights posted for the decoder copy, decode answered, a step trains, the manifold renders', async () => {
    const { send, ofType } = handlerHarness(() => small, { metricsEvery: 1 });
    const config = { ...configFromSettings(parseSettings('?arch=conv&batch=16').settings) };
    await send({ type: 'init', dataUrl: '', backend: 'auto', config, generation: 1, view: { n: 3, ...axisPlane(2, 0, 1), base: [0, 0] } });
    expect(ofType('model').at(-1)?.info.decodeInWorker).toBe(true);
    expect(ofType('manifold').at(-1)).toMatchObject({ generation: 1, n: 3 });
    await send({ type: 'step' });
    expect(ofType('status').at(-1)!.status).toMatchObject({ step: 1 });
    expect(ofType('weights').at(-1)?.decoder).toMatchObject({ kind: 'network', config: { family: 'conv' } }); // for the decoder worker's copy
    await send({ type: 'decode', z: [0.5, -1] });
    const decoded = ofType('decoded').at(-1)!;
    expect(decoded.pixels).toHaveLength(784);
    expect(decoded.pixels.every((p) => p >= 0 && p <= 1)).toBe(true);
  });
});
