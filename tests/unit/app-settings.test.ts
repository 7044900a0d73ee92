import { describe, expect, it } from 'vitest';
import { LossHistory } from '../../src/app/loss-series';
import { changedKeys, configFromSettings, DEFAULT_SETTINGS, effectOf, parseSettings, serializeSettings } from '../../src/app/state/settings';

describe('settings in the URL', () => {
  it('writes every model and training setting, and leaves optional defaults out', () => {
    const query = serializeSettings({ ...DEFAULT_SETTINGS });
    expect(query).toBe('hidden=512,256&latent=2&batch=128&lr=0.001&beta=1&likelihood=bernoulli&variance=0.1&warmup=0&grid=15');
  });

  it('round-trips every parameter of the URL table', () => {
    const search = '?hidden=400&latent=8&batch=64&lr=0.0003&beta=0&likelihood=gaussian&variance=0.05&warmup=500&grid=20&proj=dims&dims=3,5&logy=1&backend=wasm&data=/data/fashion/&model=https://example.org/vae.json';
    const { settings, problems } = parseSettings(search);
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({ hidden: [400], latent: 8, batch: 64, lr: 0.0003, beta: 0, likelihood: 'gaussian', variance: 0.05, warmup: 500, grid: 20, proj: 'dims', dims: [2, 4], logy: true, backend: 'wasm', data: '/data/fashion/' });
    expect(parseSettings(`?${serializeSettings(settings)}`).settings).toEqual(settings);
  });

  it('explains and replaces bad values instead of failing', () => {
    const { settings, problems } = parseSettings('?lr=fast&latent=1&hidden=512,,256&likelihood=poisson&dims=2,2&backend=gpu');
    expect(settings.lr).toBe(0.001);
    expect(settings.latent).toBe(2);
    expect(settings.hidden).toEqual([512, 256]);
    expect(settings.likelihood).toBe('bernoulli');
    expect(settings.backend).toBe('auto');
    expect(problems).toHaveLength(6);
    expect(problems[0]).toMatch(/Ignored hidden=512,,256 in the address: hidden layer sizes must be/);
    expect(problems.join(' ')).toMatch(/Ignored lr=fast in the address: the learning rate must be a number between 0 and 1\. Using 0\.001\./);
  });

  it('drops view dimensions that the latent space does not have', () => {
    const { settings, problems } = parseSettings('?latent=3&dims=1,5');
    expect(settings.dims).toEqual([0, 1]);
    expect(problems[0]).toMatch(/only 3 dimensions/);
  });

  it('classifies what a change needs', () => {
    const a = { ...DEFAULT_SETTINGS };
    expect(effectOf(changedKeys(a, { ...a, beta: 0 }))).toBe('training');
    expect(effectOf(changedKeys(a, { ...a, latent: 3, beta: 0 }))).toBe('weights');
    expect(effectOf(changedKeys(a, { ...a, likelihood: 'gaussian' }))).toBe('weights');
    expect(effectOf(changedKeys(a, { ...a, hidden: [128] }))).toBe('weights');
    expect(effectOf(changedKeys(a, { ...a, grid: 9 }))).toBe('view');
    expect(effectOf(changedKeys(a, { ...a, backend: 'cpu' }))).toBe('restart');
    expect(changedKeys(a, { ...a, hidden: [512, 256] })).toEqual([]);
  });

  it('maps onto the model config', () => {
    const c = configFromSettings({ ...DEFAULT_SETTINGS, latent: 5, beta: 0.5, warmup: 100, likelihood: 'gaussian', variance: 0.2 }, 7);
    expect(c).toMatchObject({ latentDim: 5, beta: 0.5, klWarmupSteps: 100, likelihood: 'gaussian', gaussianVariance: 0.2, seed: 7, hidden: [512, 256] });
  });
});

describe('loss history', () => {
  const m = (step: number, total: number) => ({ step, epoch: 0, reconstruction: total - 5, kl: 5, total, klWeight: 1 });

  it('smooths with a bias-corrected moving average that starts at the first value', () => {
    const h = new LossHistory(0.9);
    h.append([m(0, 100), m(1, 100), m(2, 50)]);
    expect(h.smooth.total[0]).toBeCloseTo(100);
    expect(h.smooth.total[1]).toBeCloseTo(100);
    expect(h.smooth.total[2]).toBeLessThan(100);
    expect(h.smooth.total[2]).toBeGreaterThan(70);
    expect(h.raw.kl).toEqual([5, 5, 5]);
    h.append([m(2, 1)]); // a step already recorded is ignored
    expect(h.length).toBe(3);
  });

  it('thins long histories for display but keeps the newest point', () => {
    const h = new LossHistory();
    h.append(Array.from({ length: 1001 }, (_, i) => m(i, 500 - i / 10)));
    const s = h.thinned(100);
    expect(s.steps.length).toBeLessThanOrEqual(102);
    expect(s.steps[0]).toBe(0);
    expect(s.steps.at(-1)).toBe(1000);
    expect(s.raw.total.at(-1)).toBeCloseTo(400);
    expect(h.thinned(5000).steps).toHaveLength(1001);
  });
});

describe('backendOfQuery (the entry point starts the worker with it, before the app parses its settings)', () => {
  it('reads backend= like the settings do, and falls back to auto', async () => {
    const { backendOfQuery } = await import('../../src/app/worker-port');
    expect(backendOfQuery('?backend=wasm&latent=2')).toBe('wasm');
    expect(backendOfQuery('?latent=2')).toBe('auto');
    expect(backendOfQuery('?backend=quantum')).toBe('auto');
    expect(parseSettings('?backend=quantum').settings.backend).toBe('auto');
  });
});
