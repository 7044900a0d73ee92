/** The `vae.json` manifest of docs/weights-format.md: its type, a parser (only what the app needs is required) and a builder from a Vae. */
import { FAMILY_NAMES, type FamilyName, type VaeConfig } from '../model/config';
import type { Vae } from '../model/vae';
import { isNumber, isObject, isText, isWhole, parseConfig, parseTraining, show, type Json, type TrainingSummary } from './manifest-fields';
import { showLocation } from './quote';
import { parseTorchLayout, type TorchLayout } from './torch-layout';

/** A model file that cannot be used; the message is a plain sentence meant for the person loading it. */
export class WeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightsError';
  }
}

/** A file that is not there (HTTP 404 or 410, or absent from the chosen files): a folder's loader then looks for the next layout. */
export class MissingFileError extends WeightsError {
  constructor(message: string) {
    super(message);
    this.name = 'MissingFileError';
  }
}

/** The format name every manifest carries. */
export const MANIFEST_FORMAT = 'vae-playground';
/** The newest manifest version this code reads and the one it writes. */
export const MANIFEST_VERSION = 1;

export type { TrainingSummary } from './manifest-fields';

/** The manifest `vae.json`: what the two models are and where they are (docs/weights-format.md). */
export interface VaeManifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  latentDim: number;
  /** Always [28, 28, 1] once read ([28, 28] and [784] are read as the same images). */
  image: [28, 28, 1];
  likelihood: 'bernoulli' | 'gaussian';
  /** Whether the decoder outputs logits or probabilities (a Keras decoder ending in a sigmoid). */
  decoderOutput: 'logits' | 'probabilities';
  /** Path of the encoder's model.json, relative to the manifest; absent for a decoder alone or a PyTorch state dict. */
  encoder?: string;
  /** Path of the decoder's model.json, relative to the manifest; absent for a PyTorch state dict. */
  decoder?: string;
  /** Path of a PyTorch state dict (.safetensors) holding both parts, relative to the manifest. */
  safetensors?: string;
  /** How that state dict's modules form the encoder and decoder; absent: recognised from their names (torch-presets.ts). */
  torch?: TorchLayout;
  dataset: string;
  classes: number;
  conditional: boolean;
  /** The model family (`mlp` or `conv`) of a model made by this app; absent: read from the topology. */
  family?: FamilyName;
  /** The record of the run that trained it; only models trained with a record have one. */
  training?: TrainingSummary;
  /** Variance of a Gaussian decoder. */
  gaussianVariance?: number;
  /** The full settings of a model trained here, so it can be trained further. */
  config?: VaeConfig;
}

const REQUIRED = ['format', 'version', 'latentDim', 'decoderOutput'];
const IMAGE_SHAPES = ['28,28,1', '28,28', '784'];

/**
 * Checks a parsed `vae.json` field by field; `location` names the file in messages. Only `format`,
 * `version`, `latentDim`, `decoderOutput` and the decoder's path (or a `safetensors` path) are
 * required; the rest take the defaults of docs/weights-format.md. Throws WeightsError.
 */
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
  if (json.decoder == null && json.safetensors == null) missing.push('decoder');
  if (missing.length > 0) {
    throw new WeightsError(`${where} is missing the field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`);
  }
  const bad: string[] = [];
  const need = (ok: boolean, what: string, v: unknown) => ok || bad.push(`${what} (it is ${show(v)})`);
  const optional = (key: string, ok: (v: unknown) => boolean, what: string) => json[key] == null || need(ok(json[key]), what, json[key]);
  const j = json;
  need(j.version === MANIFEST_VERSION, `version must be ${MANIFEST_VERSION}`, j.version);
  need(isWhole(j.latentDim, 1, 256), 'latentDim must be a whole number from 1 to 256', j.latentDim);
  need(j.decoderOutput === 'logits' || j.decoderOutput === 'probabilities', 'decoderOutput must be "logits" or "probabilities"', j.decoderOutput);
  optional('image', (v) => Array.isArray(v) && IMAGE_SHAPES.includes(v.join()), 'image must be [28, 28, 1], [28, 28] or [784] (28x28 grey images)');
  optional('likelihood', (v) => v === 'bernoulli' || v === 'gaussian', 'likelihood must be "bernoulli" or "gaussian"');
  optional('encoder', (v) => isText(v, 1000), 'encoder must be the path of a model.json');
  optional('decoder', (v) => isText(v, 1000), 'decoder must be the path of a model.json');
  optional('safetensors', (v) => isText(v, 1000), 'safetensors must be the path of a .safetensors file');
  optional('dataset', (v) => isText(v, 100), 'dataset must be a short name such as "mnist"');
  optional('classes', (v) => isWhole(v, 1, 100000), 'classes must be a whole number, 1 or more');
  optional('conditional', (v) => typeof v === 'boolean', 'conditional must be true or false');
  optional('family', (v) => FAMILY_NAMES.includes(v as FamilyName), `family must be ${FAMILY_NAMES.map((f) => `"${f}"`).join(' or ')}`);
  optional('gaussianVariance', (v) => isNumber(v) && v > 0, 'gaussianVariance must be a positive number');
  const training = parseTraining(j.training, bad);
  const config = j.config == null ? undefined : parseConfig(j.config, j, bad);
  const torch = j.torch == null ? undefined : parseTorchLayout(j.torch, bad);
  if (bad.length > 0) throw new WeightsError(`${where} has invalid fields: ${bad.join('; ')}.`);
  const manifest: VaeManifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    latentDim: j.latentDim as number,
    image: [28, 28, 1],
    likelihood: (j.likelihood as VaeManifest['likelihood'] | undefined) ?? 'bernoulli',
    decoderOutput: j.decoderOutput as VaeManifest['decoderOutput'],
    dataset: (j.dataset as string | undefined) ?? 'mnist',
    classes: (j.classes as number | undefined) ?? 10,
    conditional: (j.conditional as boolean | undefined) ?? false,
  };
  for (const key of ['encoder', 'decoder', 'safetensors', 'gaussianVariance', 'family'] as const) {
    if (j[key] != null) (manifest as unknown as Json)[key] = j[key];
  }
  if (training) manifest.training = training;
  if (config) manifest.config = config;
  if (torch) manifest.torch = torch;
  return manifest;
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
    classes: config.conditional ? config.classes : (extra.classes ?? 10),
    conditional: config.conditional,
    family: config.family,
    training: { ...extra.training },
  };
  if (config.likelihood === 'gaussian') manifest.gaussianVariance = config.gaussianVariance;
  manifest.config = { ...config, hidden: [...config.hidden] };
  return manifest;
}
