/** The one settings object of a VAE and its training run; every field is documented. */

/** Decoder likelihood p(x|z). */
export type Likelihood = 'bernoulli' | 'gaussian';

/** Hidden-layer activation. */
export type Activation = 'relu' | 'elu' | 'tanh';

/** A model family: which kind of encoder/decoder pair (model/families.ts). */
export type FamilyName = 'mlp';

/** Every family, as `VaeConfig.family` takes them. */
export const FAMILY_NAMES: readonly FamilyName[] = ['mlp'];

/** Everything that defines a VAE and how it is trained. */
export interface VaeConfig {
  /** The model family: `mlp`, dense layers (model/mlp.ts). */
  family: FamilyName;
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

/** Lists what is wrong with a config, in plain words (empty when it is valid). */
export function configProblems(c: VaeConfig): string[] {
  const problems: string[] = [];
  const positiveInt = (v: number) => Number.isInteger(v) && v > 0;
  if (!FAMILY_NAMES.includes(c.family)) problems.push(`unknown model family "${c.family}"`);
  if (!positiveInt(c.inputDim)) problems.push('the input size must be a positive whole number');
  if (!Array.isArray(c.hidden) || !c.hidden.every((h) => positiveInt(h) && h <= 4096)) {
    problems.push('hidden layer sizes must be whole numbers from 1 to 4096');
  }
  if (!positiveInt(c.latentDim) || c.latentDim > 256) problems.push('the latent dimension must be a whole number from 1 to 256');
  if (!['relu', 'elu', 'tanh'].includes(c.activation)) problems.push(`unknown activation "${c.activation}"`);
  if (!['bernoulli', 'gaussian'].includes(c.likelihood)) problems.push(`unknown likelihood "${c.likelihood}"`);
  if (!(c.gaussianVariance > 0 && Number.isFinite(c.gaussianVariance))) problems.push('the Gaussian variance must be a positive number');
  if (!(c.beta >= 0 && Number.isFinite(c.beta))) problems.push('beta must be zero or a positive number');
  if (!(Number.isInteger(c.klWarmupSteps) && c.klWarmupSteps >= 0)) problems.push('KL warm-up steps must be a whole number, zero or more');
  if (!(c.learningRate > 0 && c.learningRate < 1)) problems.push('the learning rate must be between 0 and 1');
  if (!positiveInt(c.batchSize) || c.batchSize > 4096) problems.push('the batch size must be a whole number from 1 to 4096');
  if (!Number.isInteger(c.seed)) problems.push('the seed must be a whole number');
  return problems;
}

/** The KL weight at a given step, with linear warm-up from 0 to beta. */
export function klWeightAt(config: VaeConfig, step: number): number {
  if (config.klWarmupSteps <= 0) return config.beta;
  return config.beta * Math.min(1, step / config.klWarmupSteps);
}
