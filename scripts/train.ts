/**
 * Headless training in Node on the tfjs wasm backend.
 *
 *   npm run train -- --epochs 30 --latent 2 --hidden 512,256 --batch 128 --lr 0.001 --out DIR
 *
 * Prints one JSON line per epoch (train loss, test loss, examples/s) and writes the weights
 * folder (DESIGN.md §2) with training.testElbo in the manifest.
 */
import { parseArgs } from 'node:util';
import { initNodeBackend } from './lib/tf-node';
import { defaultMnistDir, loadDatasetFromDir } from './lib/load-dataset-node';
import { directorySink } from './lib/weights-node';
import { makeConfig, type Likelihood } from '../src/core/model/config';
import { evaluateElbo, importanceWeightedLogLikelihood } from '../src/core/model/evaluate';
import { Vae } from '../src/core/model/vae';
import { Trainer } from '../src/core/train/trainer';
import { saveVae } from '../src/core/io/save';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '10' },
    latent: { type: 'string', default: '2' },
    hidden: { type: 'string', default: '512,256' },
    batch: { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.001' },
    beta: { type: 'string', default: '1' },
    likelihood: { type: 'string', default: 'bernoulli' },
    variance: { type: 'string', default: '0.1' },
    warmup: { type: 'string', default: '0' },
    binarize: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    data: { type: 'string', default: defaultMnistDir() },
    out: { type: 'string' },
    iwae: { type: 'string', default: '0' },
    backend: { type: 'string', default: 'wasm' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log('npm run train -- [--epochs 10] [--latent 2] [--hidden 512,256] [--batch 128] [--lr 0.001] [--beta 1]');
  console.log('  [--likelihood bernoulli|gaussian] [--variance 0.1] [--warmup STEPS] [--binarize] [--seed 1]');
  console.log('  [--data DIR with the four IDX files] [--out DIR] [--iwae K] [--backend wasm|cpu]');
  process.exit(0);
}

const number = (name: string, text: string | undefined) => {
  const v = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(v)) throw new Error(`--${name} needs a number, got "${text}"`);
  return v;
};

const config = makeConfig({
  hidden: String(args.hidden).split(',').filter(Boolean).map((h) => number('hidden', h)),
  latentDim: number('latent', args.latent),
  batchSize: number('batch', args.batch),
  learningRate: number('lr', args.lr),
  beta: number('beta', args.beta),
  likelihood: args.likelihood as Likelihood,
  gaussianVariance: number('variance', args.variance),
  klWarmupSteps: number('warmup', args.warmup),
  binarize: Boolean(args.binarize),
  seed: number('seed', args.seed),
});
const epochs = number('epochs', args.epochs);
const backend = await initNodeBackend(args.backend as 'wasm' | 'cpu');
const data = await loadDatasetFromDir(String(args.data));
const vae = Vae.create(config);
const trainer = new Trainer(vae, data.train, 50);
console.error(
  `training ${config.inputDim}-${config.hidden.join('-')}-${config.latentDim} on ${data.name} ` +
    `(${data.train.count} train, ${data.test.count} test) with tfjs ${backend}, ${epochs} epochs`,
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

const iwaeK = number('iwae', args.iwae);
const iwae = iwaeK > 0 ? await importanceWeightedLogLikelihood(vae, data.test, iwaeK) : undefined;
const training = {
  epochs,
  testElbo: -round(testElbo.total),
  testReconstruction: round(testElbo.reconstruction),
  testKl: round(testElbo.kl),
  ...(iwae === undefined ? {} : { testIwae: round(iwae), iwaeSamples: iwaeK }),
  steps: trainer.step,
  seconds: round(trainSeconds),
  backend: `tfjs-${backend}`,
  date: new Date().toISOString(),
  command: `npm run train -- ${process.argv.slice(2).join(' ')}`,
};
console.log(JSON.stringify({ impl: 'tfjs-' + backend, hidden: config.hidden.join(','), latent: config.latentDim, ...training }));
if (args.out) {
  await saveVae(vae, directorySink(String(args.out)), { dataset: data.name, training });
  console.error(`saved weights to ${args.out}`);
}
trainer.dispose();
vae.dispose();

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
