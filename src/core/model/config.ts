/** The one settings object of a VAE and its training run; every field is documented, every range is in settings-table.ts. */
import { ACTIVATIONS, FAMILY_NAMES, LIKELIHOODS, SETTING_ROWS, settingProblem, type SettingRow } from './settings-table';

export { FAMILY_NAMES };

/** Decoder likelihood p(x|z). */
export type Likelihood = (typeof LIKELIHOODS)[number];

/** Hidden-layer activation. */
export type Activation = (typeof ACTIVATIONS)[number];

/** A model family: which kind of encoder/decoder pair (model/families.ts). */
export type FamilyName = (typeof FAMILY_NAMES)[number];

/** Everything that defines a VAE and how it is trained. */
export interface VaeConfig {
  /** The model family: `mlp`, dense layers (model/mlp.ts); `conv`, the Keras example's convolutional VAE (model/conv.ts; `hidden` unused). */
  family: FamilyName;
  /** A conditional VAE: the one-hot class joins the encoder's input and z at the decoder's input (model/conditional.ts). */
  conditional: boolean;
  /** Number of classes of the one-hot condition (10 for MNIST); used when `conditional`. */
  classes: number;
  /** Pixels per image (784 for 28x28 MNIST). The encoder input and decoder output width. */
  inputDim: number;
  /** Encoder hidden layer sizes, first to last; the decoder mirrors them (e.g. [512, 256]). */
  hidden: number[];
  /** Dimension of the latent code z. */
  latentDim: number;
  /** Activation of every hidden layer. */
  activation: Activation;
  /** Bernoulli (binary cross-entropy on logits) or Gaussian (squared error) decoder. */
  likelihood: Likelihood;
  /** Variance sigma^2 of the Gaussian decoder; ignored for Bernoulli. */
  gaussianVariance: number;
  /** Weight of the KL term in the loss (1 is the true negative ELBO; 0 is a plain autoencoder). */
  beta: number;
  /** Steps over which the KL weight ramps linearly from 0 to beta (0: no warm-up). */
  klWarmupSteps: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Examples per training step. */
  batchSize: number;
  /** Re-sample every training pixel as a Bernoulli draw each time it is used (dynamic binarization). */
  binarize: boolean;
  /** Seed of weight initialisation, batch order, binarization and the noise eps. */
  seed: number;
}

/** The defaults: the 2-D MNIST model the app opens with. */
export const DEFAULT_CONFIG: Readonly<VaeConfig> = Object.freeze({
  family: 'mlp',
  conditional: false,
  classes: 10,
  inputDim: 784,
  hidden: [512, 256],
  latentDim: 2,
  activation: 'relu',
  likelihood: 'bernoulli',
  gaussianVariance: 0.1,
  beta: 1,
  klWarmupSteps: 0,
  learningRate: 1e-3,
  batchSize: 128,
  binarize: false,
  seed: 1,
});

/** A full config from defaults and overrides; throws a plain-words error when a value is invalid. */
export function makeConfig(overrides: Partial<VaeConfig> = {}): VaeConfig {
  const config: VaeConfig = { ...DEFAULT_CONFIG, hidden: [...DEFAULT_CONFIG.hidden], ...overrides };
  const problems = configProblems(config);
  if (problems.length > 0) throw new Error(`Invalid model settings: ${problems.join('; ')}.`);
  return config;
}

/** Lists what is wrong with a config, in plain words (empty when it is valid); every field is checked against its row of the settings table. */
export function configProblems(c: VaeConfig): string[] {
  const problems: string[] = [];
  for (const row of Object.values(SETTING_ROWS) as SettingRow[]) {
    if (row.field === null) continue;
    const problem = settingProblem(row, c[row.field]);
    if (problem !== null) problems.push(problem);
  }
  return problems;
}

/** The KL weight at a given step, with linear warm-up from 0 to beta. */
export function klWeightAt(config: Pick<VaeConfig, 'beta' | 'klWarmupSteps'>, step: number): number {
  if (config.klWarmupSteps <= 0) return config.beta;
  return config.beta * Math.min(1, step / config.klWarmupSteps);
}
