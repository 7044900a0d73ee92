/** The optional parts of a `vae.json` manifest: the training record and the training settings. */
import { configProblems, DEFAULT_CONFIG, type VaeConfig } from '../model/config';
import { quoteFromFile } from './quote';

/** How the training run that produced the weights went. */
export interface TrainingSummary {
  /** Epochs trained. */
  epochs: number;
  /** ELBO on the test set, nats per image (negative; higher is better); absent when it was not measured. */
  testElbo?: number;
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

/** A model's training steps from its first: those its file records (`training.steps`) plus `stepsHere`. */
export function stepsFromFirst(training: Pick<TrainingSummary, 'steps'> | null | undefined, stepsHere: number): number {
  return (training?.steps ?? 0) + stepsHere;
}

/** A JSON object. */
export type Json = Record<string, unknown>;
/** True for a JSON object (not a list, not null). */
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** True for a finite number. */
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** True for a whole number from `min` to `max`. */
export const isWhole = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
/** True for a non-empty text of at most `max` characters. */
export const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
/** A value from the file, quoted and cut for a message. */
export const show = (v: unknown) => quoteFromFile(v, 40);

/**
 * The training record, or undefined when there is none; what is wrong goes into `bad`. A figure that
 * was not measured may be null or absent (the CLI writes null for a test ELBO it never computed).
 */
export function parseTraining(t: unknown, bad: string[]): TrainingSummary | undefined {
  if (t === undefined || t === null) return undefined;
  if (!isObject(t)) {
    bad.push(`training must be an object such as {"epochs": 30, "testElbo": -140} (it is ${show(t)})`);
    return undefined;
  }
  const out: TrainingSummary = { epochs: 0 };
  if (isWhole(t.epochs, 0)) out.epochs = t.epochs;
  else bad.push(`training.epochs must be a whole number, 0 or more (it is ${show(t.epochs)})`);
  const numbers = ['testElbo', 'steps', 'testReconstruction', 'testKl', 'testIwae', 'iwaeSamples', 'seconds'] as const;
  for (const key of numbers) {
    if (t[key] === undefined || t[key] === null) continue;
    if (isNumber(t[key])) out[key] = t[key];
    else bad.push(`training.${key} must be a number (it is ${show(t[key])})`);
  }
  for (const key of ['backend', 'date', 'command'] as const) {
    if (t[key] === undefined || t[key] === null) continue;
    if (isText(t[key], 300)) out[key] = t[key];
    else bad.push(`training.${key} must be a short text (it is ${show(t[key])})`);
  }
  // A test ELBO of exactly 0 nats would mean the model gives every test image probability 1: it is a
  // placeholder written by hand ({"epochs": 0, "testElbo": 0}), not a measurement, and is not shown.
  if (out.testElbo === 0) delete out.testElbo;
  const measured = Object.keys(out).some((k) => k !== 'epochs');
  return out.epochs === 0 && !measured ? undefined : out;
}

const ARCHITECTURE_KEYS = ['inputDim', 'hidden', 'latentDim', 'activation', 'likelihood'] as const;

/** The training settings of a model trained by this app (checked against the manifest), or undefined; problems go into `bad`. */
export function parseConfig(c: unknown, manifest: Json, bad: string[]): VaeConfig | undefined {
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
  if (manifest.likelihood !== undefined && config.likelihood !== manifest.likelihood) problems.push(`its likelihood differs from the manifest's`);
  if (manifest.conditional !== undefined && config.conditional !== manifest.conditional) problems.push(`its conditional differs from the manifest's`);
  if (manifest.family !== undefined && config.family !== manifest.family) problems.push(`its family differs from the manifest's`);
  if (problems.length > 0) bad.push(`config: ${problems.join(', ')}`);
  return config;
}
