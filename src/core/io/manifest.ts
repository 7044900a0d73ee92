/** The `vae.json` manifest of DESIGN.md §2: its type, a strict parser and a builder from a Vae. */
import { configProblems, DEFAULT_CONFIG, type VaeConfig } from '../model/config';
import type { Vae } from '../model/vae';
import { quoteFromFile, showLocation } from './quote';

/** A model file that cannot be used; the message is a plain sentence meant for the person loading it. */
export class WeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightsError';
  }
}

/** The format name every manifest carries. */
export const MANIFEST_FORMAT = 'vae-playground';
/** The newest manifest version this code reads and the one it writes. */
export const MANIFEST_VERSION = 1;

/** How the training run that produced the weights went. */
export interface TrainingSummary {
  /** Epochs trained. */
  epochs: number;
  /** ELBO on the test set, nats per image (negative; higher is better). */
  testElbo: number;
  /** Training steps taken. */
  steps?: number;
  /** Test reconstruction term, nats per image. */
  testReconstruction?: number;
  /** Test KL term, nats per image. */
  testKl?: number;
  /** Importance-weighted bound on the test log-likelihood, nats per image (negative). */
  testIwae?: number;
  /** Samples per image of that bound (k). */
  iwaeSamples?: number;
  /** Wall-clock seconds of training. */
  seconds?: number;
  /** The command that trained it, to reproduce the run. */
  command?: string;
  /** The tfjs backend (or framework) that trained it. */
  backend?: string;
  /** When training finished (ISO 8601). */
  date?: string;
}

/** The manifest `vae.json`: what the two LayersModels are and where they are. */
export interface VaeManifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  latentDim: number;
  image: [28, 28, 1];
  likelihood: 'bernoulli' | 'gaussian';
  /** Whether the decoder outputs logits or probabilities (a Keras decoder ending in a sigmoid). */
  decoderOutput: 'logits' | 'probabilities';
  /** Path of the encoder's model.json, relative to the manifest. */
  encoder: string;
  /** Path of the decoder's model.json, relative to the manifest. */
  decoder: string;
  dataset: string;
  classes: number;
  conditional: boolean;
  training: TrainingSummary;
  /** Variance of a Gaussian decoder. */
  gaussianVariance?: number;
  /** The full settings of a model trained here, so it can be trained further. */
  config?: VaeConfig;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isWhole = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const show = (v: unknown) => quoteFromFile(v, 40);

const REQUIRED = ['format', 'version', 'latentDim', 'image', 'likelihood', 'decoderOutput', 'encoder', 'decoder', 'dataset', 'classes', 'conditional', 'training'];

/** Checks a parsed `vae.json` field by field; `where` names the file in messages. Throws WeightsError. */
export function parseManifest(json: unknown, location: string): VaeManifest {
  const where = showLocation(location);
  if (!isObject(json)) throw new WeightsError(`${where} is not a model manifest: it holds ${Array.isArray(json) ? 'a list' : show(json)}, not an object.`);
  if ('format' in json && json.format !== MANIFEST_FORMAT) {
    throw new WeightsError(`${where} has the unknown format ${show(json.format)}; this app reads "${MANIFEST_FORMAT}" manifests or a decoder model.json alone.`);
  }
  if (isWhole(json.version, MANIFEST_VERSION + 1)) {
    throw new WeightsError(`${where}: version ${json.version} is newer than this app understands (${MANIFEST_VERSION}).`);
  }
  const missing = REQUIRED.filter((k) => json[k] === undefined || json[k] === null);
  if (missing.length > 0) {
    throw new WeightsError(`${where} is missing the field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`);
  }
  const bad: string[] = [];
  const need = (ok: boolean, what: string, v: unknown) => ok || bad.push(`${what} (it is ${show(v)})`);
  const j = json;
  need(j.version === MANIFEST_VERSION, `version must be ${MANIFEST_VERSION}`, j.version);
  need(isWhole(j.latentDim, 1, 256), 'latentDim must be a whole number from 1 to 256', j.latentDim);
  need(Array.isArray(j.image) && j.image.join() === '28,28,1', 'image must be [28, 28, 1] (28x28 grey images)', j.image);
  need(j.likelihood === 'bernoulli' || j.likelihood === 'gaussian', 'likelihood must be "bernoulli" or "gaussian"', j.likelihood);
  need(j.decoderOutput === 'logits' || j.decoderOutput === 'probabilities', 'decoderOutput must be "logits" or "probabilities"', j.decoderOutput);
  need(isText(j.encoder, 1000), 'encoder must be the path of a model.json', j.encoder);
  need(isText(j.decoder, 1000), 'decoder must be the path of a model.json', j.decoder);
  need(isText(j.dataset, 100), 'dataset must be a short name such as "mnist"', j.dataset);
  need(isWhole(j.classes, 1, 100000), 'classes must be a whole number, 1 or more', j.classes);
  need(typeof j.conditional === 'boolean', 'conditional must be true or false', j.conditional);
  need(j.gaussianVariance === undefined || (isNumber(j.gaussianVariance) && j.gaussianVariance > 0), 'gaussianVariance must be a positive number', j.gaussianVariance);
  const training = parseTraining(j.training, bad);
  const config = j.config === undefined ? undefined : parseConfig(j.config, j, bad);
  if (bad.length > 0) throw new WeightsError(`${where} has invalid fields: ${bad.join('; ')}.`);
  const manifest: VaeManifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    latentDim: j.latentDim as number,
    image: [28, 28, 1],
    likelihood: j.likelihood as VaeManifest['likelihood'],
    decoderOutput: j.decoderOutput as VaeManifest['decoderOutput'],
    encoder: j.encoder as string,
    decoder: j.decoder as string,
    dataset: j.dataset as string,
    classes: j.classes as number,
    conditional: j.conditional as boolean,
    training,
  };
  if (j.gaussianVariance !== undefined) manifest.gaussianVariance = j.gaussianVariance as number;
  if (config) manifest.config = config;
  return manifest;
}

function parseTraining(t: unknown, bad: string[]): TrainingSummary {
  if (!isObject(t)) {
    bad.push(`training must be an object with epochs and testElbo (it is ${show(t)})`);
    return { epochs: 0, testElbo: 0 };
  }
  const out: TrainingSummary = { epochs: t.epochs as number, testElbo: t.testElbo as number };
  if (!isWhole(t.epochs, 0)) bad.push(`training.epochs must be a whole number, 0 or more (it is ${show(t.epochs)})`);
  if (!isNumber(t.testElbo)) bad.push(`training.testElbo must be a number (it is ${show(t.testElbo)})`);
  const numbers = ['steps', 'testReconstruction', 'testKl', 'testIwae', 'iwaeSamples', 'seconds'] as const;
  for (const key of numbers) {
    if (t[key] === undefined) continue;
    if (isNumber(t[key])) out[key] = t[key];
    else bad.push(`training.${key} must be a number (it is ${show(t[key])})`);
  }
  for (const key of ['backend', 'date', 'command'] as const) {
    if (t[key] === undefined) continue;
    if (isText(t[key], 300)) out[key] = t[key];
    else bad.push(`training.${key} must be a short text (it is ${show(t[key])})`);
  }
  return out;
}

const ARCHITECTURE_KEYS = ['inputDim', 'hidden', 'latentDim', 'activation', 'likelihood'] as const;

function parseConfig(c: unknown, manifest: Json, bad: string[]): VaeConfig | undefined {
  if (!isObject(c)) {
    bad.push(`config must be an object (it is ${show(c)})`);
    return undefined;
  }
  const lacking = ARCHITECTURE_KEYS.filter((k) => c[k] === undefined);
  if (lacking.length > 0) {
    bad.push(`config lacks ${lacking.join(', ')}`);
    return undefined;
  }
  const config = { ...DEFAULT_CONFIG, hidden: [...DEFAULT_CONFIG.hidden] } as VaeConfig;
  const target = config as unknown as Json;
  for (const key of Object.keys(DEFAULT_CONFIG) as (keyof VaeConfig)[]) {
    const value = c[key];
    if (value === undefined) continue;
    const expected = DEFAULT_CONFIG[key];
    const sameType = Array.isArray(expected) ? Array.isArray(value) && value.every(isNumber) : typeof value === typeof expected;
    if (!sameType) {
      bad.push(`config.${key} has the wrong type (it is ${show(value)})`);
      return undefined;
    }
    target[key] = Array.isArray(value) ? [...value] : value;
  }
  const problems = configProblems(config);
  if (config.inputDim !== 784) problems.push('the input size must be 784');
  if (config.latentDim !== manifest.latentDim) problems.push(`its latentDim ${config.latentDim} differs from the manifest's ${show(manifest.latentDim)}`);
  if (config.likelihood !== manifest.likelihood) problems.push(`its likelihood differs from the manifest's`);
  if (problems.length > 0) bad.push(`config: ${problems.join(', ')}`);
  return config;
}

/** What `manifestFor` cannot read from the Vae itself. */
export interface ManifestExtra {
  dataset: string;
  training: TrainingSummary;
  /** Number of classes of the dataset (10 unless told). */
  classes?: number;
}

/** The manifest describing `vae` as saved by `saveVae` (paths encoder/model.json and decoder/model.json unless told). */
export function manifestFor(vae: Vae, extra: ManifestExtra, paths = { encoder: 'encoder/model.json', decoder: 'decoder/model.json' }): VaeManifest {
  const { config } = vae;
  const manifest: VaeManifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    latentDim: config.latentDim,
    image: [28, 28, 1],
    likelihood: config.likelihood,
    decoderOutput: 'logits',
    encoder: paths.encoder,
    decoder: paths.decoder,
    dataset: extra.dataset,
    classes: extra.classes ?? 10,
    conditional: false,
    training: { ...extra.training },
  };
  if (config.likelihood === 'gaussian') manifest.gaussianVariance = config.gaussianVariance;
  manifest.config = { ...config, hidden: [...config.hidden] };
  return manifest;
}
