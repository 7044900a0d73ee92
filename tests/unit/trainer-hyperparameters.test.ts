/**
 * Hyperparameters change through one call (Trainer.setHyperparameters, TrainingSession.configure),
 * checked once; the Vae's config is frozen and never changed in place.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDatasetFromDir } from '../../scripts/lib/load-dataset-node';
import { takeFirst, type ImageDataset } from '../../src/core/data/dataset';
import { makeConfig, type VaeConfig } from '../../src/core/model/config';
import { Vae } from '../../src/core/model/vae';
import { Trainer } from '../../src/core/train/trainer';
import { TrainingSession } from '../../src/worker/session';

let subset: ImageDataset;

beforeAll(async () => {
  subset = takeFirst((await loadDatasetFromDir()).train, 1000);
});

const valuesOf = (vae: Vae) => vae.trainableVariables().map((v) => Float32Array.from(v.dataSync()));

/** The largest change of any weight between two copies. */
function largestMove(a: Float32Array[], b: Float32Array[]): number {
  let most = 0;
  a.forEach((w, i) => w.forEach((x, j) => (most = Math.max(most, Math.abs(x - b[i][j])))));
  return most;
}

describe('hyperparameters through a call', () => {
  it('a new learning rate and beta take effect from the next step', async () => {
    const vae = Vae.create(makeConfig({ hidden: [32], latentDim: 2, learningRate: 1e-2, seed: 2 }));
    const trainer = new Trainer(vae, subset);
    const w0 = valuesOf(vae);
    trainer.trainStep();
    const w1 = valuesOf(vae);
    // Adam's first step moves a weight by about the learning rate.
    expect(largestMove(w0, w1)).toBeGreaterThan(5e-3);
    trainer.setHyperparameters({ learningRate: 1e-5, beta: 0.25 });
    expect(trainer.hyperparameters).toMatchObject({ learningRate: 1e-5, beta: 0.25 });
    trainer.trainStep();
    const w2 = valuesOf(vae);
    expect(largestMove(w1, w2)).toBeGreaterThan(0);
    expect(largestMove(w1, w2)).toBeLessThan(1e-4);
    const metrics = await trainer.readMetrics();
    expect(metrics.map((m) => m.klWeight)).toEqual([1, 0.25]);
    trainer.dispose();
    vae.dispose();
  });

  it('an invalid value is refused in one plain sentence and changes nothing', async () => {
    const vae = Vae.create(makeConfig({ hidden: [16], latentDim: 2, batchSize: 100 }));
    const trainer = new Trainer(vae, subset);
    const before = trainer.hyperparameters;
    const view = trainer.vae;
    expect(() => trainer.setHyperparameters({ beta: 0.5, learningRate: 2, batchSize: 250 })).toThrow(
      /^The training settings were not changed: the learning rate must be a number between 0 and 1\.$/,
    );
    expect(() => trainer.setHyperparameters({ gaussianVariance: -1 })).toThrow(/the Gaussian variance must be a number above 0 and at most 10\.$/);
    expect(trainer.hyperparameters).toBe(before);
    expect(trainer.vae).toBe(view);
    expect(trainer.stepsPerEpoch).toBe(10);
    trainer.trainStep();
    expect((await trainer.readMetrics())[0].klWeight).toBe(1);
    trainer.dispose();
    vae.dispose();
  });

  it("never changes a Vae's config: it is a frozen copy, and new settings make a new view of the same weights", () => {
    const config = makeConfig({ hidden: [16], latentDim: 2 });
    const vae = Vae.create(config);
    config.hidden.push(99);
    config.learningRate = 0.5;
    expect(vae.config.hidden).toEqual([16]);
    expect(vae.config.learningRate).toBe(1e-3);
    expect(Object.isFrozen(vae.config)).toBe(true);
    expect(Object.isFrozen(vae.config.hidden)).toBe(true);
    expect(() => {
      (vae.config as VaeConfig).learningRate = 0.5;
    }).toThrow(TypeError);
    expect(() => vae.config.hidden.push(8)).toThrow(TypeError);
    const trainer = new Trainer(vae, subset);
    trainer.setHyperparameters({ learningRate: 0.01, batchSize: 50 });
    expect(vae.config).toMatchObject({ learningRate: 1e-3, batchSize: 128 });
    expect(trainer.vae).not.toBe(vae);
    expect(trainer.vae.config).toMatchObject({ learningRate: 0.01, batchSize: 50, hidden: [16] });
    expect(Object.isFrozen(trainer.vae.config)).toBe(true);
    expect(trainer.vae.encoder).toBe(vae.encoder);
    expect(trainer.vae.decoder).toBe(vae.decoder);
    trainer.dispose();
    vae.dispose();
  });

  it('the session applies settings that keep the weights through the trainer and refuses the others', async () => {
    const session = new TrainingSession(makeConfig({ hidden: [16], latentDim: 2 }), subset, 1);
    const first = session.vae;
    await session.configure(makeConfig({ hidden: [16], latentDim: 2, learningRate: 0.02, beta: 3, batchSize: 200, binarize: true }));
    expect(session.config).toMatchObject({ learningRate: 0.02, beta: 3, batchSize: 200, binarize: true });
    expect(session.stepsPerEpoch).toBe(5);
    expect(first.config).toMatchObject({ learningRate: 1e-3, beta: 1, batchSize: 128, binarize: false });
    await expect(session.configure(makeConfig({ hidden: [16], latentDim: 3 }))).rejects.toThrow(/^These settings change the network; reset the model to apply them\.$/);
    await expect(session.configure({ ...session.config, hidden: [16], beta: -1 })).rejects.toThrow(/^The training settings were not changed: β \(the KL weight\) must be a number from 0 to 100\.$/);
    expect(session.config.beta).toBe(3);
    session.dispose();
  });
});
