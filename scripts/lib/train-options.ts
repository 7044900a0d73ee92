/**
 * The training CLI's options, in one table: name, placeholder, default, help line and parser. The
 * model's and training's options come from the app's settings table (src/core/model/settings-table.ts:
 * the same names, ranges and words as the URL and the controls); the CLI's own (--epochs, --data,
 * --out, --iwae, --backend) are written here. `parseTrainArgs` reads argv against it (Node's
 * `util.parseArgs` splits the tokens; every value is then checked here), and `trainUsage` prints it.
 * Every mistake is a `UsageError` in plain words.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, type FamilyName, type Likelihood, type VaeConfig } from '../../src/core/model/config';
import { rangeWords, SETTING_ROWS, type SettingName, type SettingRow } from '../../src/core/model/settings-table';
import { UsageError } from './cli';
import { defaultMnistDir } from './load-dataset-node';

/** One option: how it is written, what it does, and how its text becomes a value. */
interface OptionSpec<T> {
  /** Placeholder shown in the help; absent for a switch (a boolean option that takes no value). */
  value?: string;
  /** Default as it would be typed; absent when the option is optional with no default. */
  default?: string;
  /** One line of help. */
  help: string;
  /** Turns the text (undefined when not given and without default) into the value; throws UsageError. */
  parse(text: string | undefined, flag: string): T;
}

const spec = <T>(s: OptionSpec<T>) => s;

/** The option of a row of the settings table: its placeholder, the config's default, its label and range as help, its range as check. */
function fromTable<T>(name: SettingName): OptionSpec<T> {
  const row: SettingRow = SETTING_ROWS[name];
  const t = row.type;
  const field = row.field as keyof VaeConfig;
  const dflt = DEFAULT_CONFIG[field];
  const appWords = row.app ? ` (the app opens ${row.app.min} to ${row.app.max}; a model outside that trains but is not saved with --out)` : '';
  const words = t.kind === 'choice' || t.kind === 'flag' ? '' : `: ${rangeWords(t)}${appWords}`;
  const help = t.kind === 'flag' ? row.tip : `${row.label}${words}`;
  const parse = {
    int: () => (t.kind === 'int' ? integer(t.min, t.max) : null),
    number: () => (t.kind === 'number' ? decimal(t.above ? { above: t.min } : { atLeast: t.min }, t.below ? { below: t.max } : { atMost: t.max }) : null),
    sizes: () => (t.kind === 'sizes' ? sizeList(t.min, t.max, t.maxCount) : null),
    choice: () => (t.kind === 'choice' ? choice(...t.values) : null),
    flag: () => (text: string | undefined) => text !== undefined,
  }[t.kind]()!;
  if (t.kind === 'flag') return { help, parse } as OptionSpec<T>;
  return { value: row.placeholder, default: Array.isArray(dflt) ? dflt.join(',') : String(dflt), help, parse } as OptionSpec<T>;
}

/** Every option of `npm run train`. */
export const TRAIN_OPTIONS = {
  epochs: spec({ value: 'N', default: '10', help: 'passes over the training set (0: only evaluate the initial weights, and save them with --out)', parse: integer(0) }),
  arch: fromTable<FamilyName>('arch'),
  conditional: fromTable<boolean>('conditional'),
  latent: fromTable<number>('latent'),
  hidden: fromTable<number[]>('hidden'),
  batch: fromTable<number>('batch'),
  lr: fromTable<number>('lr'),
  beta: fromTable<number>('beta'),
  likelihood: fromTable<Likelihood>('likelihood'),
  variance: fromTable<number>('variance'),
  warmup: fromTable<number>('warmup'),
  binarize: fromTable<boolean>('binarize'),
  seed: fromTable<number>('seed'),
  data: spec({ value: 'PATH', default: defaultMnistDir(), help: "folder holding a dataset's four MNIST-layout IDX files (plain or .gz), under MNIST's names or a variant's (EMNIST, KMNIST, Fashion-MNIST, QMNIST), or one of those files to pick its dataset", parse: path }),
  out: spec({ value: 'DIR', help: 'folder to write the weights to (created; checked before training)', parse: optionalPath }),
  iwae: spec({ value: 'K', default: '0', help: 'also report the importance-weighted bound with K samples (0: off)', parse: integer(0, 100_000) }),
  backend: spec({ value: 'wasm|cpu', default: 'wasm', help: 'tfjs backend', parse: choice('wasm', 'cpu') }),
  help: spec({ help: 'print this help', parse: (t) => t !== undefined }),
};

type Options = typeof TRAIN_OPTIONS;
/** The parsed command line: one typed value per option. */
export type TrainArgs = { [K in keyof Options]: ReturnType<Options[K]['parse']> };

/** Parses the training CLI's arguments (without `node script`); throws UsageError on any mistake. */
export function parseTrainArgs(argv: string[]): TrainArgs {
  const table = TRAIN_OPTIONS as Record<string, OptionSpec<unknown>>;
  const options = Object.fromEntries(
    Object.entries(table).map(([name, s]) => [name, { type: s.value === undefined ? 'boolean' : 'string' } as const]),
  );
  // Not strict: parseArgs would call `--epochs -1` ambiguous; here -1 reaches the value check.
  const { tokens } = parseArgs({ args: argv, options, strict: false, tokens: true });
  const given = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind === 'positional') throw new UsageError(`Unexpected argument "${token.value}": every setting is an option such as --epochs 10.`);
    if (token.kind !== 'option') continue;
    const s = table[token.name];
    if (!s || token.rawName !== `--${token.name}`) throw new UsageError(`Unknown option ${token.rawName}.`);
    if (s.value === undefined) {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} is a switch and takes no value.`);
      given.set(token.name, '');
    } else {
      if (token.value === undefined || (!token.inlineValue && /^--[a-z]/i.test(token.value))) {
        throw new UsageError(`${token.rawName} needs a value (${s.value}).`);
      }
      given.set(token.name, token.value);
    }
  }
  const values = Object.fromEntries(
    Object.entries(table).map(([name, s]) => [name, s.parse(given.has(name) ? given.get(name) : s.default, `--${name}`)]),
  ) as TrainArgs;
  if (given.has('hidden') && values.arch === 'conv') {
    throw new UsageError("--hidden sets the MLP's hidden layers; the conv family's layers are fixed (Conv2D 32 and 64, Dense 16), so leave it out with --arch conv.");
  }
  return values;
}

/**
 * Checks, before training, that the app will open what `--out` writes: a setting outside its `app`
 * range in the settings table (e.g. --latent 1 or 100, which the core trains but the app does not
 * show) is a UsageError with `--out`, and allowed without it (a run that only measures).
 */
export function checkAppOpens(args: TrainArgs): void {
  if (args.out === undefined) return;
  for (const row of Object.values(SETTING_ROWS) as SettingRow[]) {
    const value = row.cli && row.app ? args[row.cli as keyof TrainArgs] : undefined;
    if (row.app && typeof value === 'number' && (value < row.app.min || value > row.app.max)) {
      throw new UsageError(
        `--${row.cli} ${value} trains, but the app opens only ${row.app.min} to ${row.app.max} (${row.app.reason}), so it could not open what --out writes: ` +
          `use ${row.app.min} to ${row.app.max} with --out, or leave --out out to only measure.`,
      );
    }
  }
}

/** The config fields the parsed options set (every option with a row in the settings table). */
export function configOverrides(args: TrainArgs): Partial<VaeConfig> {
  const out: Record<string, unknown> = {};
  for (const row of Object.values(SETTING_ROWS) as SettingRow[]) {
    if (row.cli && row.field && row.cli in args) out[row.field] = args[row.cli as keyof TrainArgs];
  }
  return out as Partial<VaeConfig>;
}

/** The help text, from the table. */
export function trainUsage(): string {
  const rows = Object.entries(TRAIN_OPTIONS as Record<string, OptionSpec<unknown>>).map(([name, s]) => {
    const left = `  --${name}${s.value ? ` ${s.value}` : ''}`;
    const dflt = s.default === undefined ? '' : ` (default ${s.default})`;
    return `${left.padEnd(34)} ${s.help}${dflt}`;
  });
  return ['Trains the VAE in Node and prints one JSON line per epoch.', '', 'npm run train -- [options]', ...rows].join('\n');
}

/** A whole number from `min` to `max`. */
function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (text: string | undefined, flag: string): number => {
    const t = required(text, flag).trim();
    const v = Number(t);
    const range = max === Number.MAX_SAFE_INTEGER ? `of ${min} or more` : `from ${min} to ${max}`;
    if (!/^[+-]?\d+$/.test(t) || v < min || v > max) throw new UsageError(`${flag} must be a whole number ${range}; got "${text}".`);
    return v;
  };
}

/** A finite decimal number within the given bounds. */
function decimal(low: { above?: number; atLeast?: number }, high: { below?: number; atMost?: number } = {}) {
  const bounds = { ...low, ...high };
  return (text: string | undefined, flag: string): number => {
    const t = required(text, flag).trim();
    const v = Number(t);
    const ok =
      /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) &&
      Number.isFinite(v) &&
      (bounds.above === undefined || v > bounds.above) &&
      (bounds.atLeast === undefined || v >= bounds.atLeast) &&
      (bounds.below === undefined || v < bounds.below) &&
      (bounds.atMost === undefined || v <= bounds.atMost);
    if (!ok) {
      const want = [
        bounds.above !== undefined && `above ${bounds.above}`,
        bounds.atLeast !== undefined && `${bounds.atLeast} or more`,
        bounds.below !== undefined && `below ${bounds.below}`,
        bounds.atMost !== undefined && `at most ${bounds.atMost}`,
      ].filter(Boolean);
      throw new UsageError(`${flag} must be a number ${want.join(' and ')}; got "${text}".`);
    }
    return v;
  };
}

/** Comma-separated layer sizes such as 512,256: up to `maxCount`, each a whole number from `min` to `max`, none empty. */
function sizeList(min: number, max: number, maxCount: number) {
  return (text: string | undefined, flag: string): number[] => {
    const t = required(text, flag).trim();
    if (t === '') throw new UsageError(`${flag} needs at least one layer size, such as 512,256.`);
    const items = t.split(',');
    if (items.length > maxCount) throw new UsageError(`${flag} takes at most ${maxCount} layer sizes; "${text}" has ${items.length}.`);
    return items.map((item, i) => {
      const s = item.trim();
      if (s === '') throw new UsageError(`${flag} has an empty item at position ${i + 1} in "${text}"; write sizes such as 512,256.`);
      const v = Number(s);
      if (!/^\d+$/.test(s) || v < min || v > max) {
        throw new UsageError(`${flag} sizes must be whole numbers from ${min} to ${max}; "${s}" in "${text}" is not.`);
      }
      return v;
    });
  };
}

/** One of the listed words. */
function choice<T extends string>(...allowed: readonly T[]) {
  return (text: string | undefined, flag: string): T => {
    const t = required(text, flag).trim();
    if (!(allowed as readonly string[]).includes(t)) throw new UsageError(`${flag} must be ${allowed.join(' or ')}; got "${text}".`);
    return t as T;
  };
}

/** A non-empty path. */
function path(text: string | undefined, flag: string): string {
  const t = required(text, flag);
  if (t.trim() === '') throw new UsageError(`${flag} needs a folder, not an empty string.`);
  return t;
}

/** A non-empty path, or undefined when the option isn't given. */
function optionalPath(text: string | undefined, flag: string): string | undefined {
  return text === undefined ? undefined : path(text, flag);
}

function required(text: string | undefined, flag: string): string {
  if (text === undefined) throw new UsageError(`${flag} needs a value.`);
  return text;
}
