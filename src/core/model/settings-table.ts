/**
 * Every setting of a VAE and its training, in one table (like TensorFlow Playground's state.ts): its
 * URL and CLI name, the config field, the type and range, the label and tooltip, and what a change
 * needs. The config check (config.ts), the URL (app/state/settings.ts), the controls and the training
 * CLI (scripts/lib/train-options.ts) all read their ranges and words from here; each range is written once.
 * Only types are imported, so config.ts can import this file without a cycle.
 */
import type { VaeConfig } from './config';

/** Every model family, as `VaeConfig.family` takes them (model/families.ts builds each). */
export const FAMILY_NAMES = ['mlp', 'conv'] as const;
/** Every decoder likelihood. */
export const LIKELIHOODS = ['bernoulli', 'gaussian'] as const;
/** Every hidden-layer activation. */
export const ACTIVATIONS = ['relu', 'elu', 'tanh'] as const;

/** What a change of a setting needs: new weights, new training settings, a redraw, a restart of the worker, or nothing. */
export type SettingEffect = 'weights' | 'training' | 'view' | 'restart' | 'none';

/** The type and range of a setting's value. */
export type SettingType =
  | { kind: 'int'; min: number; max: number }
  /** `above`/`below`: the bound itself is excluded. */
  | { kind: 'number'; min: number; max: number; above?: boolean; below?: boolean }
  /** A list of whole numbers (layer sizes); in text, comma-separated, so text holds at least one. */
  | { kind: 'sizes'; min: number; max: number; minCount: number; maxCount: number }
  | { kind: 'choice'; values: readonly string[] }
  | { kind: 'flag' };

/** One setting. */
export interface SettingRow {
  /** The VaeConfig field it sets, or null for a setting of the view only. */
  field: keyof VaeConfig | null;
  /** Its name in the URL (`?latent=`), or null when the address does not carry it. */
  url: string | null;
  /** Its CLI option (`--latent`), or null when `npm run train` does not take it. */
  cli: string | null;
  /** Placeholder of its value in the CLI help (e.g. N). */
  placeholder?: string;
  type: SettingType;
  /** Its name inside a sentence: "the latent dimension must be ...". */
  what: string;
  /** The control's label. */
  label: string;
  /** The control's tooltip, and the CLI's help line. */
  tip: string;
  /** Step of the number field. */
  step?: string;
  effect: SettingEffect;
  /**
   * A narrower range where the app builds and shows models, with why; the wider `type` range is what
   * the core builds and trains (the CLI, configs in files).
   */
  app?: { min: number; max: number; reason: string };
}

/** The table, keyed by the setting's short name (its URL and CLI name where it has one). */
export const SETTING_ROWS = {
  arch: {
    field: 'family', url: 'arch', cli: 'arch', placeholder: 'mlp|conv', type: { kind: 'choice', values: FAMILY_NAMES }, what: 'model family',
    label: 'Model family',
    tip: "Which encoder/decoder pair: mlp, dense layers (sizes under Hidden layers); conv, the Keras example's convolutional VAE (Conv2D 32 and 64, Dense 16; Conv2DTranspose 64, 32, 1). Changing it needs new weights.",
    effect: 'weights',
  },
  conditional: {
    field: 'conditional', url: 'conditional', cli: 'conditional', type: { kind: 'flag' }, what: 'conditional',
    label: 'Conditional on the class',
    tip: "A conditional VAE (CVAE): the image's class, as a one-hot code as wide as the dataset has classes, joins the encoder's input and z at the decoder's input, so z keeps only the style. Changing it needs new weights.",
    effect: 'weights',
  },
  classes: {
    field: 'classes', url: null, cli: null, type: { kind: 'int', min: 2, max: 1000 }, what: 'the number of classes',
    label: 'Classes', tip: "Classes of the one-hot condition of a conditional VAE: the dataset's number (10 digits; 26 EMNIST letters; 47 or 62 EMNIST classes); the app takes it from the data.", effect: 'weights',
  },
  input: {
    field: 'inputDim', url: null, cli: null, type: { kind: 'int', min: 1, max: 65536 }, what: 'the input size',
    label: 'Input size', tip: 'Pixels per image (784 for 28x28).', effect: 'weights',
  },
  hidden: {
    field: 'hidden', url: 'hidden', cli: 'hidden', placeholder: 'SIZES', type: { kind: 'sizes', min: 1, max: 4096, minCount: 0, maxCount: 8 }, what: 'hidden layer sizes',
    label: 'Hidden layers',
    tip: "Sizes of the encoder's hidden layers, first to last, separated by commas; the decoder mirrors them. Changing them needs new weights.",
    effect: 'weights',
  },
  latent: {
    field: 'latentDim', url: 'latent', cli: 'latent', placeholder: 'N', type: { kind: 'int', min: 1, max: 256 }, what: 'the latent dimension',
    label: 'Latent dimension',
    tip: 'Size of the code z. 2 can be drawn directly; above 2 the scatter shows two chosen dimensions or a PCA projection. Changing it needs new weights.',
    step: '1', effect: 'weights',
    app: { min: 2, max: 64, reason: 'the latent plot needs two axes, and the sliders and KL bars stay readable up to 64' },
  },
  activation: {
    field: 'activation', url: null, cli: null, type: { kind: 'choice', values: ACTIVATIONS }, what: 'activation',
    label: 'Activation', tip: 'Activation of every hidden layer.', effect: 'weights',
  },
  likelihood: {
    field: 'likelihood', url: 'likelihood', cli: 'likelihood', placeholder: 'bernoulli|gaussian', type: { kind: 'choice', values: LIKELIHOODS }, what: 'likelihood',
    label: 'Likelihood p(x|z)',
    tip: 'How the decoder scores a reconstruction: Bernoulli (binary cross-entropy per pixel) or Gaussian with fixed variance σ² (squared error / 2σ²). Changing it needs new weights.',
    effect: 'weights',
  },
  variance: {
    field: 'gaussianVariance', url: 'variance', cli: 'variance', placeholder: 'V', type: { kind: 'number', min: 0, max: 10, above: true }, what: 'the Gaussian variance',
    label: 'Gaussian σ²',
    tip: 'Variance of the Gaussian decoder. Small σ² weights reconstruction more against the KL term (sharper digits, less regular latent space).',
    step: '0.01', effect: 'training',
  },
  beta: {
    field: 'beta', url: 'beta', cli: 'beta', placeholder: 'B', type: { kind: 'number', min: 0, max: 100 }, what: 'β (the KL weight)',
    label: 'β (KL weight)',
    tip: 'Weight of KL(q(z|x) ‖ N(0, I)) in the loss. 1 is the true ELBO; larger pulls codes toward the prior; 0 makes a plain autoencoder whose latent space loses its shape.',
    step: '0.1', effect: 'training',
  },
  warmup: {
    field: 'klWarmupSteps', url: 'warmup', cli: 'warmup', placeholder: 'STEPS', type: { kind: 'int', min: 0, max: 1_000_000 }, what: 'the KL warm-up',
    label: 'KL warm-up steps',
    tip: 'Ramp the KL weight from 0 up to β over this many steps, so the decoder learns to use z before the prior pulls codes together (0: no warm-up).',
    step: '100', effect: 'training',
  },
  lr: {
    field: 'learningRate', url: 'lr', cli: 'lr', placeholder: 'RATE', type: { kind: 'number', min: 0, max: 1, above: true, below: true }, what: 'the learning rate',
    label: 'Learning rate', tip: "Adam's step size. Too high and the loss jumps or diverges; too low and the clusters form slowly.",
    step: '0.0001', effect: 'training',
  },
  batch: {
    field: 'batchSize', url: 'batch', cli: 'batch', placeholder: 'N', type: { kind: 'int', min: 1, max: 4096 }, what: 'the batch size',
    label: 'Batch size', tip: 'Training digits per step: larger batches give smoother gradient estimates of the ELBO but fewer steps per second.',
    effect: 'training',
  },
  binarize: {
    field: 'binarize', url: null, cli: 'binarize', type: { kind: 'flag' }, what: 'binarize',
    label: 'Binarize', tip: 'Re-sample every training pixel as a Bernoulli draw each time it is used (dynamic binarization).', effect: 'training',
  },
  seed: {
    field: 'seed', url: null, cli: 'seed', placeholder: 'N', type: { kind: 'int', min: -(2 ** 31), max: 2 ** 31 - 1 }, what: 'the seed',
    label: 'Seed', tip: 'Seed of weight initialisation, batch order, binarization and the noise eps.', effect: 'weights',
  },
  grid: {
    field: null, url: 'grid', cli: null, type: { kind: 'int', min: 2, max: 30 }, what: 'the manifold grid size',
    label: 'Manifold grid', tip: 'Decoded digits per side of the manifold.', step: '1', effect: 'view',
  },
} as const satisfies Record<string, SettingRow>;

/** A setting's short name. */
export type SettingName = keyof typeof SETTING_ROWS;

/** The range the app uses for a numeric setting: its `app` range where it has one, else its type's range. */
export function appRange(row: SettingRow): { min: number; max: number } {
  if (row.app) return { min: row.app.min, max: row.app.max };
  if (row.type.kind === 'int' || row.type.kind === 'number' || row.type.kind === 'sizes') return { min: row.type.min, max: row.type.max };
  throw new Error(`${row.what} has no numeric range.`);
}

/** The range of a number in words, e.g. "a whole number from 1 to 256". */
export function rangeWords(type: SettingType, range?: { min: number; max: number }): string {
  if (type.kind === 'choice') return `one of ${type.values.join(', ')}`;
  if (type.kind === 'flag') return 'true or false';
  const { min, max } = range ?? type;
  if (type.kind === 'int') return `a whole number from ${min} to ${max}`;
  if (type.kind === 'sizes') return `${type.minCount > 0 ? `${type.minCount} to` : 'at most'} ${type.maxCount} whole numbers from ${min} to ${max}, separated by commas`;
  if (type.above && type.below) return `a number between ${min} and ${max}`;
  if (type.above) return `a number above ${min} and at most ${max}`;
  if (type.below) return `a number from ${min} and below ${max}`;
  return `a number from ${min} to ${max}`;
}

const inRange = (v: number, t: { min: number; max: number; above?: boolean; below?: boolean }, r: { min: number; max: number }) =>
  Number.isFinite(v) && (t.above ? v > r.min : v >= r.min) && (t.below ? v < r.max : v <= r.max);

/** What is wrong with a value of a setting, as a clause ("the batch size must be ..."), or null when it is valid; `range` narrows a numeric one. */
export function settingProblem(row: SettingRow, value: unknown, range?: { min: number; max: number }): string | null {
  const t = row.type;
  const r = range ?? ('min' in t ? { min: t.min, max: t.max } : { min: 0, max: 0 });
  switch (t.kind) {
    case 'choice':
      return typeof value === 'string' && t.values.includes(value) ? null : `unknown ${row.what} "${String(value)}" (it must be ${t.values.join(' or ')})`;
    case 'flag':
      return typeof value === 'boolean' ? null : `${row.what} must be true or false`;
    case 'sizes': {
      const ok = Array.isArray(value) && value.length >= t.minCount && value.length <= t.maxCount && value.every((v) => typeof v === 'number' && Number.isInteger(v) && inRange(v, t, r));
      return ok ? null : `${row.what} must be ${rangeWords(t, r)}`;
    }
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && inRange(value, t, r) ? null : `${row.what} must be ${rangeWords(t, r)}`;
    case 'number':
      return typeof value === 'number' && inRange(value, t, r) ? null : `${row.what} must be ${rangeWords(t, r)}`;
  }
}

/** A setting's value from text (a URL parameter or a form field), or the reason it is refused; `range` narrows a numeric one. */
export function parseSetting(row: SettingRow, text: string, range?: { min: number; max: number }): unknown | { problem: string } {
  const raw = text.trim();
  let value: unknown = raw;
  if (row.type.kind === 'int' || row.type.kind === 'number') value = raw === '' ? NaN : Number(raw);
  // Empty text is no list of sizes (a config may hold none: a model without hidden layers).
  if (row.type.kind === 'sizes') value = raw.split(',').map((s) => (s.trim() === '' ? NaN : Number(s.trim())));
  if (row.type.kind === 'flag') value = ['1', 'true'].includes(raw) ? true : ['0', 'false'].includes(raw) ? false : raw;
  const problem = settingProblem(row, value, range);
  return problem === null ? value : { problem };
}
