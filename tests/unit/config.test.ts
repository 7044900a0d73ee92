import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, klWeightAt, makeConfig } from '../../src/core/model/config';

describe('VaeConfig', () => {
  it('fills defaults and keeps overrides', () => {
    const config = makeConfig({ latentDim: 20, hidden: [400] });
    expect(config.latentDim).toBe(20);
    expect(config.hidden).toEqual([400]);
    expect(config.likelihood).toBe(DEFAULT_CONFIG.likelihood);
  });

  it('rejects invalid values with every problem named', () => {
    expect(() => makeConfig({ latentDim: 0, learningRate: -1, hidden: [12.5] })).toThrow(
      /latent dimension.*; hidden layer sizes|hidden layer sizes.*latent dimension/,
    );
    expect(() => makeConfig({ likelihood: 'poisson' as never })).toThrow(/unknown likelihood "poisson"/);
    expect(() => makeConfig({ batchSize: 0 })).toThrow(/batch size/);
  });

  it('warms the KL weight up linearly to beta', () => {
    const config = makeConfig({ beta: 2, klWarmupSteps: 100 });
    expect(klWeightAt(config, 0)).toBe(0);
    expect(klWeightAt(config, 50)).toBe(1);
    expect(klWeightAt(config, 500)).toBe(2);
    expect(klWeightAt(makeConfig({ beta: 0.5 }), 0)).toBe(0.5);
  });
});
