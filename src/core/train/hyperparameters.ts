/**
 * The settings a model trains with that keep its weights: learning rate, β, KL warm-up, Gaussian
 * variance, batch size and binarization. The Trainer holds its own copy and changes it only through
 * `Trainer.setHyperparameters`, which checks the values against the settings table first.
 */
import type { VaeConfig } from '../model/config';
import { SETTING_ROWS, settingProblem, type SettingRow } from '../model/settings-table';

/** The config fields that can change while a model trains, without new weights. */
export const HYPERPARAMETER_FIELDS = ['learningRate', 'beta', 'klWarmupSteps', 'gaussianVariance', 'batchSize', 'binarize'] as const;

/** The training settings that keep the weights. */
export type Hyperparameters = Pick<VaeConfig, (typeof HYPERPARAMETER_FIELDS)[number]>;

/** The hyperparameters of a config (a copy). */
export function hyperparametersOf(config: Readonly<VaeConfig>): Hyperparameters {
  return Object.fromEntries(HYPERPARAMETER_FIELDS.map((f) => [f, config[f]])) as unknown as Hyperparameters;
}

const ROWS = (Object.values(SETTING_ROWS) as SettingRow[]).filter((r) => (HYPERPARAMETER_FIELDS as readonly string[]).includes(r.field ?? ''));

/** What is wrong with hyperparameters, clause by clause from the settings table (empty when valid). */
export function hyperparameterProblems(h: Hyperparameters): string[] {
  return ROWS.map((row) => settingProblem(row, h[row.field as keyof Hyperparameters])).filter((p): p is string => p !== null);
}

/** A frozen, checked copy of `h`; throws one plain sentence naming every bad value. */
export function checkHyperparameters(h: Hyperparameters): Readonly<Hyperparameters> {
  const copy = hyperparametersOf(h as VaeConfig);
  const problems = hyperparameterProblems(copy);
  if (problems.length > 0) throw new Error(`The training settings were not changed: ${problems.join('; ')}.`);
  return Object.freeze(copy);
}
