/**
 * Headless training in Node on the tfjs wasm backend.
 *
 *   npm run train -- --epochs 30 --latent 2 --hidden 512,256 --batch 128 --lr 0.001 --out DIR
 *
 * Prints one JSON line per epoch (train loss, test loss, examples/s) and writes the weights
 * folder (docs/weights-format.md) with training.testElbo in the manifest. Every input is checked first (the
 * options, the output folder, the dataset) and tfjs is loaded only then; any failure prints one
 * plain line and a hint, exit code 2 for bad usage and 1 otherwise.
 */
import { runCli, UsageError } from './lib/cli';
import { loadDatasetFromDir } from './lib/load-dataset-node';
import { prepareOutputDir } from './lib/output-dir';
import { checkAppOpens, configOverrides, parseTrainArgs, trainUsage } from './lib/train-options';
import { makeConfig, type VaeConfig } from '../src/core/model/config';
import { fitForInput } from '../src/core/data/fit';

await runCli(async () => {
  const args = parseTrainArgs(process.argv.slice(2));
  if (args.help) {
    console.log(trainUsage());
    return;
  }
  checkAppOpens(args);
  let config: VaeConfig;
  try {
    config = makeConfig(configOverrides(args));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const out = args.out === undefined ? undefined : await prepareOutputDir(args.out);
  const data = await loadDatasetFromDir(args.data, undefined, fitForInput(config.inputDim)); // the app's fit: what trains here opens there
  const { trainAndSave } = await import('./lib/train-run');
  await trainAndSave({ config, data, epochs: args.epochs, iwaeSamples: args.iwae, backend: args.backend, out });
}, 'Run npm run train -- --help for every option.');
