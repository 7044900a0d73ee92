/** The one switch between the training ops: VAE_KERNELS in Node, ?kernels= in the app, applied at backend start. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { kernelsFromEnv } from '../../scripts/lib/tf-node';
import { parseSettings, serializeSettings } from '../../src/app/state/settings';
import { kernelsOfQuery } from '../../src/app/worker-port';
import { acceleratedOps, opsFor, startKernels } from '../../src/core/accelerator';
import { setTrainingOps, stockOps, trainingOps } from '../../src/core/ops';

const inUse = trainingOps();
const envBefore = process.env.VAE_KERNELS;

afterEach(() => {
  setTrainingOps(inUse);
  if (envBefore === undefined) delete process.env.VAE_KERNELS;
  else process.env.VAE_KERNELS = envBefore;
});

describe('choosing the training ops', () => {
  it('VAE_KERNELS: unset is accelerated, stock is stock, anything else is refused in words', () => {
    delete process.env.VAE_KERNELS;
    expect(kernelsFromEnv()).toBe('accelerated');
    process.env.VAE_KERNELS = 'stock';
    expect(kernelsFromEnv()).toBe('stock');
    process.env.VAE_KERNELS = 'fast';
    expect(() => kernelsFromEnv()).toThrow(/VAE_KERNELS must be accelerated or stock, not "fast"/);
  });

  it('?kernels=stock in the address: the settings and the early worker start read it; a bad value falls back', () => {
    const { settings, problems } = parseSettings('?kernels=stock&latent=2');
    expect(settings.kernels).toBe('stock');
    expect(problems).toEqual([]);
    expect(serializeSettings(settings)).toContain('kernels=stock');
    expect(serializeSettings(parseSettings('').settings)).not.toContain('kernels'); // the default is left out
    expect(kernelsOfQuery('?kernels=stock')).toBe('stock');
    expect(kernelsOfQuery('?backend=wasm')).toBe('accelerated');
    const bad = parseSettings('?kernels=turbo');
    expect(bad.settings.kernels).toBe('accelerated');
    expect(bad.problems[0]).toMatch(/kernels=turbo.*must be one of accelerated, stock/);
  });

  it('on the wasm backend, accelerated means the wasm kernels; startKernels puts the choice in use', async () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(opsFor('accelerated')).toBe(acceleratedOps);
    expect(opsFor('stock')).toBe(stockOps);
    expect(await startKernels('stock')).toBe(stockOps);
    expect(trainingOps().kind).toBe('stock');
    expect(await startKernels('accelerated')).toBe(acceleratedOps);
    expect(trainingOps().kind).toBe('accelerated');
  });
});

describe('the seam', () => {
  it('nothing under src/core/model or src/core/train imports the accelerator (it comes in at backend start)', () => {
    const offending: string[] = [];
    for (const dir of ['src/core/model', 'src/core/train', 'src/core/ops']) {
      for (const name of readdirSync(dir, { recursive: true }) as string[]) {
        if (!name.endsWith('.ts')) continue;
        const source = readFileSync(join(dir, name), 'utf8');
        if (/from\s+['"][^'"]*accelerator/.test(source)) offending.push(join(dir, name));
      }
    }
    expect(offending).toEqual([]);
  });
});
