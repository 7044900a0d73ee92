/**
 * Every setting of the app serialised to the URL (like TensorFlow Playground's state.ts). The model's
 * and training's settings and their ranges come from the one table in core/model/settings-table.ts;
 * the view's own (projection, backend, addresses) are added here. Parsing never throws: a bad value
 * falls back to the default with a plain-words note.
 */
import { DEFAULT_CONFIG, makeConfig, type FamilyName, type Likelihood, type VaeConfig } from '../../core/model/config';
import { appRange, parseSetting, SETTING_ROWS, type SettingEffect, type SettingName } from '../../core/model/settings-table';
import { KERNELS_CHOICES, type KernelsChoice } from '../../core/ops/training-ops'; // not ../../core/ops: its stock ops would pull tfjs into the page
import { BUILTIN_DATA_PATH } from '../../worker/dataset-source';
import { BACKEND_CHOICES, type BackendChoice } from '../../worker/protocol';

/** How the latent scatter views a space of more than 2 dimensions. */
export type Projection = 'pca' | 'dims';

/** All settings, as the URL holds them. */
export interface Settings {
  /** Model family: the MLP, or the Keras example's convolutional VAE. */
  arch: FamilyName;
  /** A conditional VAE (the one-hot class joins the encoder's and the decoder's inputs). */
  conditional: boolean;
  /** Encoder hidden layer sizes (decoder mirrors them). */
  hidden: number[];
  /** Latent dimension. */
  latent: number;
  /** Batch size. */
  batch: number;
  /** Adam learning rate. */
  lr: number;
  /** KL weight. */
  beta: number;
  /** Decoder likelihood. */
  likelihood: Likelihood;
  /** σ² of the Gaussian likelihood. */
  variance: number;
  /** KL warm-up steps. */
  warmup: number;
  /** Manifold cells per side. */
  grid: number;
  /** Scatter projection above 2 latent dimensions. */
  proj: Projection;
  /** The two dimensions shown when proj = dims, 0-based (1-based in the URL: dims=1,2). */
  dims: [number, number];
  /** Log-scale loss axis. */
  logy: boolean;
  /** Live panels: the displays follow training (off: they hold still and training runs at full speed). */
  live: boolean;
  /** Forced tfjs backend, or auto. */
  backend: BackendChoice;
  /** The training ops: the wasm accelerator's where it runs (default), or stock tfjs. */
  kernels: KernelsChoice;
  /** Dataset folder URL. */
  data: string;
  /** Weights to load at start: the URL of a manifest, a decoder model.json, a .safetensors state dict or a folder (empty: the bundled model or fresh weights). */
  model: string;
  /** With `decoder`: a pair of model.json URLs to load at start, without a manifest (docs/loading-models.md). */
  encoder: string;
  /** With `encoder`: the decoder's model.json URL. */
  decoder: string;
}

/** Where the dataset is served by default: the built-in MNIST (the worker falls back to it). */
export const DEFAULT_DATA_URL = BUILTIN_DATA_PATH;

/** The settings the app opens with. */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  arch: DEFAULT_CONFIG.family,
  conditional: DEFAULT_CONFIG.conditional,
  hidden: [...DEFAULT_CONFIG.hidden],
  latent: DEFAULT_CONFIG.latentDim,
  batch: DEFAULT_CONFIG.batchSize,
  lr: DEFAULT_CONFIG.learningRate,
  beta: DEFAULT_CONFIG.beta,
  likelihood: DEFAULT_CONFIG.likelihood,
  variance: DEFAULT_CONFIG.gaussianVariance,
  warmup: DEFAULT_CONFIG.klWarmupSteps,
  grid: 15,
  proj: 'pca' as Projection,
  dims: [0, 1] as [number, number],
  logy: false,
  live: true,
  backend: 'auto' as BackendChoice,
  kernels: 'accelerated' as KernelsChoice,
  data: DEFAULT_DATA_URL,
  model: '',
  encoder: '',
  decoder: '',
});

export type { SettingEffect };

interface Entry<K extends keyof Settings> {
  /** Parses the URL text; returns the value or a plain-words reason. */
  parse: (raw: string) => Settings[K] | { problem: string };
  format: (value: Settings[K]) => string;
  /** Leave out of the URL when equal to the default. */
  omitDefault?: boolean;
  effect: SettingEffect;
}

const problem = (text: string) => ({ problem: text });

/** The URL entry of a row of the shared table: parsed within the range the app uses, printed back as typed. */
function fromTable<K extends keyof Settings & SettingName>(key: K): Entry<K> {
  const row = SETTING_ROWS[key];
  const range = 'min' in row.type ? appRange(row) : undefined; // numbers and sizes have one; choices and flags not
  return {
    parse: (raw) => parseSetting(row, raw, range) as Settings[K] | { problem: string },
    format: (v) => (Array.isArray(v) ? v.join(',') : String(v)),
    effect: row.effect,
  };
}

function oneOf<T extends string>(values: readonly T[], what: string) {
  return (raw: string) => ((values as readonly string[]).includes(raw) ? (raw as T) : problem(`${what} must be one of ${values.join(', ')}`));
}

/** An on/off view setting: 1 or 0 (true or false) in the URL, left out at its default. */
function viewFlag<K extends 'logy' | 'live'>(name: K): Entry<K> {
  return {
    parse: (raw) => (['1', 'true'].includes(raw) ? true : ['0', 'false'].includes(raw) ? false : problem(`${name} must be 0 or 1`)),
    format: (v) => (v ? '1' : '0'),
    effect: 'none',
    omitDefault: true,
  };
}

/** The table: how each URL parameter parses, prints and what changing it needs. */
export const SETTINGS_TABLE: { [K in keyof Settings]: Entry<K> } = {
  arch: { ...fromTable('arch'), omitDefault: true },
  conditional: {
    parse: (raw) => parseSetting(SETTING_ROWS.conditional, raw) as boolean | { problem: string },
    format: (v) => (v ? '1' : '0'),
    effect: SETTING_ROWS.conditional.effect,
    omitDefault: true,
  },
  hidden: fromTable('hidden'),
  latent: fromTable('latent'),
  batch: fromTable('batch'),
  lr: fromTable('lr'),
  beta: fromTable('beta'),
  likelihood: fromTable('likelihood'),
  variance: fromTable('variance'),
  warmup: fromTable('warmup'),
  grid: fromTable('grid'),
  proj: { parse: oneOf(['pca', 'dims'] as const, 'the projection'), format: String, effect: 'view', omitDefault: true },
  dims: {
    parse: (raw) => {
      const d = raw.split(',').map((s) => Number(s.trim()) - 1);
      return d.length === 2 && d.every((x) => Number.isInteger(x) && x >= 0) && d[0] !== d[1]
        ? [d[0], d[1]]
        : problem('dims must be two different latent dimensions counted from 1, like 1,2');
    },
    format: (v) => `${v[0] + 1},${v[1] + 1}`,
    effect: 'view',
    omitDefault: true,
  },
  logy: viewFlag('logy'),
  live: viewFlag('live'),
  backend: { parse: oneOf(BACKEND_CHOICES, 'the backend'), format: String, effect: 'restart', omitDefault: true },
  kernels: { parse: oneOf(KERNELS_CHOICES, 'kernels'), format: String, effect: 'restart', omitDefault: true },
  data: { parse: (raw) => (raw.trim() ? raw.trim() : problem('data must be a URL')), format: String, effect: 'restart', omitDefault: true },
  model: { parse: (raw) => raw.trim(), format: String, effect: 'none', omitDefault: true },
  encoder: { parse: (raw) => raw.trim(), format: String, effect: 'none', omitDefault: true },
  decoder: { parse: (raw) => raw.trim(), format: String, effect: 'none', omitDefault: true },
};

/** Setting names in URL order. */
export const SETTING_KEYS = Object.keys(SETTINGS_TABLE) as (keyof Settings)[];

function same<K extends keyof Settings>(key: K, a: Settings[K], b: Settings[K]): boolean {
  const entry = SETTINGS_TABLE[key];
  return entry.format(a) === entry.format(b);
}

/** Settings from a query string; unknown parameters are ignored, bad values noted and replaced by defaults. */
export function parseSettings(search: string): { settings: Settings; problems: string[] } {
  const params = new URLSearchParams(search);
  const settings = { ...DEFAULT_SETTINGS, hidden: [...DEFAULT_SETTINGS.hidden], dims: [...DEFAULT_SETTINGS.dims] } as Settings;
  const problems: string[] = [];
  for (const key of SETTING_KEYS) {
    const raw = params.get(key);
    if (raw === null) continue;
    const parsed = SETTINGS_TABLE[key].parse(raw);
    if (typeof parsed === 'object' && parsed !== null && 'problem' in parsed) {
      problems.push(`Ignored ${key}=${raw} in the address: ${parsed.problem}. Using ${SETTINGS_TABLE[key].format(DEFAULT_SETTINGS[key] as never)}.`);
    } else {
      (settings as unknown as Record<string, unknown>)[key] = parsed;
    }
  }
  if (settings.dims.some((d) => d >= settings.latent)) {
    if (params.has('dims')) problems.push(`Ignored dims=${params.get('dims')}: the latent space has only ${settings.latent} dimensions.`);
    settings.dims = [0, 1];
  }
  return { settings, problems };
}

/** The query string for settings (defaults of optional parameters left out; view options only above 2-D). */
export function serializeSettings(settings: Settings): string {
  const params = new URLSearchParams();
  for (const key of SETTING_KEYS) {
    const entry = SETTINGS_TABLE[key];
    if (entry.omitDefault && same(key, settings[key], DEFAULT_SETTINGS[key] as never)) continue;
    if ((key === 'proj' || key === 'dims') && settings.latent <= 2) continue;
    params.set(key, entry.format(settings[key] as never));
  }
  return params.toString().replace(/%2C/g, ',');
}

/** The settings that differ between two states. */
export function changedKeys(a: Settings, b: Settings): (keyof Settings)[] {
  return SETTING_KEYS.filter((k) => !same(k, a[k], b[k] as never));
}

/** The strongest effect among changed settings ('restart' > 'weights' > 'training' > 'view' > 'none'). */
export function effectOf(keys: (keyof Settings)[]): SettingEffect {
  const order: SettingEffect[] = ['restart', 'weights', 'training', 'view'];
  return order.find((e) => keys.some((k) => SETTINGS_TABLE[k].effect === e)) ?? 'none';
}

/** The model config for settings (seed chosen by the caller). */
export function configFromSettings(s: Settings, seed = DEFAULT_CONFIG.seed): VaeConfig {
  return makeConfig({
    family: s.arch,
    conditional: s.conditional,
    hidden: [...s.hidden],
    latentDim: s.latent,
    batchSize: s.batch,
    learningRate: s.lr,
    beta: s.beta,
    likelihood: s.likelihood,
    gaussianVariance: s.variance,
    klWarmupSteps: s.warmup,
    seed,
  });
}
