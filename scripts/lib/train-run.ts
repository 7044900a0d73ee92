/** The training CLI's run, once its inputs are checked: train, evaluate, print JSON lines, save. */
import { initNodeBackend } from './tf-node';
import { directorySink } from './weights-node';
import { classNamesOf } from '../../src/core/data/class-names';
import type { DatasetSplits } from '../../src/core/data/dataset';
import type { VaeConfig } from '../../src/core/model/config';
import { evaluateElbo, importanceWeightedLogLikelihood } from '../../src/core/model/evaluate';
import { Vae } from '../../src/core/model/vae';
import { Trainer } from '../../src/core/train/trainer';
import { saveVae } from '../../src/core/io/save';

/** What a run needs; `out` is an output folder already checked to be writable. */
export interface TrainRun {
  config: VaeConfig;
  data: DatasetSplits;
  epochs: number;
  /** Samples of the importance-weighted bound on the test set; 0 skips it. */
  iwaeSamples: number;
  backend: 'wasm' | 'cpu';
  out?: string;
}

/** Trains for `epochs`, printing one JSON line per epoch and a summary line; writes the weights to `out`. */
export async function trainAndSave({ config, data, epochs, iwaeSamples, backend: wanted, out }: TrainRun): Promise<void> {
  const backend = await initNodeBackend(wanted);
  // A conditional VAE's one-hot code is as wide as the dataset has classes (core/data/class-names.ts).
  const vae = Vae.create(config.conditional ? { ...config, classes: classNamesOf(data).length } : config);
  const trainer = new Trainer(vae, data.train, 50);
  console.error(
    `training ${config.conditional ? 'a conditional ' : ''}${config.family === 'conv' ? `conv VAE, latent ${config.latentDim}` : `${config.inputDim}-${config.hidden.join('-')}-${config.latentDim}`} on ${data.name} ` +
      `(${data.train.count} train, ${data.test.count} test) with tfjs ${backend}, ${epochs} epoch${epochs === 1 ? '' : 's'}`,
  );

  let trainSeconds = 0;
  let testElbo = { reconstruction: NaN, kl: NaN, total: NaN };
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const started = performance.now();
    const metrics = await trainer.run({ untilEpochEnd: true });
    const seconds = (performance.now() - started) / 1000;
    trainSeconds += seconds;
    const examples = metrics.length * config.batchSize;
    const trainLoss = metrics.reduce((s, m) => s + m.total, 0) / metrics.length;
    testElbo = await evaluateElbo(vae, data.test);
    console.log(
      JSON.stringify({
        epoch,
        train_loss: round(trainLoss),
        test_loss: round(testElbo.total),
        test_rec: round(testElbo.reconstruction),
        test_kl: round(testElbo.kl),
        examples_per_s: Math.round(examples / seconds),
        epoch_s: round(seconds),
      }),
    );
  }

  if (epochs === 0) testElbo = await evaluateElbo(vae, data.test); // the record of untrained weights is still measured, never null
  const iwae = iwaeSamples > 0 ? await importanceWeightedLogLikelihood(vae, data.test, iwaeSamples) : undefined;
  const training = {
    epochs,
    testElbo: -round(testElbo.total),
    testReconstruction: round(testElbo.reconstruction),
    testKl: round(testElbo.kl),
    ...(iwae === undefined ? {} : { testIwae: round(iwae), iwaeSamples }),
    steps: trainer.step,
    seconds: round(trainSeconds),
    backend: `tfjs-${backend}`,
    date: new Date().toISOString(),
    command: `npm run train -- ${process.argv.slice(2).join(' ')}`,
  };
  const { family: arch, conditional } = config;
  console.log(JSON.stringify({ impl: 'tfjs-' + backend, arch, conditional, hidden: config.hidden.join(','), latent: config.latentDim, ...training }));
  if (out) {
    await saveVae(vae, directorySink(out), { dataset: data.name, training });
    console.error(`saved weights to ${out}`);
  }
  trainer.dispose();
  vae.dispose();
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
