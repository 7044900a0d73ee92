/**
 * Which stored weight fills which variable of a built LayersModel. tfjs matches names exactly
 * ("dense_1/kernel"); Keras 3 exports prefix them with the model's name ("decoder/dense_1/kernel",
 * tensorflow/tfjs#8321), and weights of layers pruned away (prune.ts) have no variable at all.
 */
import { textFromFile } from './quote';

/** A stored weight as model.json's weightsManifest describes it. */
interface StoredWeight {
  name: string;
  shape: readonly number[];
}

/** A variable of the built model. */
interface Variable {
  originalName: string;
  shape: readonly (number | null)[];
}

/** The outcome: variable name -> stored weight name, or a sentence saying what does not fit. */
export type WeightMatch = { ok: true; names: Map<string, string> } | { ok: false; problem: string };

const showShape = (shape: readonly (number | null)[]) => textFromFile(`[${shape.join(', ')}]`, 80);

/** The stored name and its shorter forms, dropping leading scopes one by one ("vae/encoder/dense/kernel", "encoder/dense/kernel", ...). */
function candidates(name: string): string[] {
  const parts = name.replace(/:\d+$/, '').split('/');
  const out: string[] = [];
  for (let i = 0; i < parts.length - 1; i++) out.push(parts.slice(i).join('/'));
  if (parts.length === 1) out.push(parts[0]);
  return out;
}

/**
 * Matches stored weights to `variables` by name: exactly, else after dropping leading scopes (the
 * model's name). Weights of `dropped` layers are ignored. `part` ("encoder") and `file` name the model in the
 * problem sentence: a weight no variable takes, a variable no weight fills, or shapes that differ.
 */
export function matchWeights(variables: readonly Variable[], stored: readonly StoredWeight[], dropped: ReadonlySet<string>, part: string, file: string): WeightMatch {
  const byName = new Map(variables.map((v) => [v.originalName, v]));
  const names = new Map<string, string>();
  for (const weight of stored) {
    const options = candidates(weight.name);
    const target = options.find((c) => byName.has(c) && !names.has(c));
    if (target === undefined) {
      if (options.some((c) => dropped.has(c.split('/')[0]))) continue;
      return { ok: false, problem: `The ${part}'s weights in ${file} include ${textFromFile(weight.name, 100)}, which no layer of the model has.` };
    }
    const variable = byName.get(target) as Variable;
    if (variable.shape.join() !== weight.shape.join()) {
      return {
        ok: false,
        problem: `The ${part}'s weight ${textFromFile(weight.name, 100)} has shape ${showShape(weight.shape)} in model.json but its layer needs ${showShape(variable.shape)}; the weights in ${file} do not match the model's layers.`,
      };
    }
    names.set(target, weight.name);
  }
  const unset = variables.filter((v) => !names.has(v.originalName)).map((v) => v.originalName);
  if (unset.length > 0) return { ok: false, problem: `The ${part}'s weights in ${file} lack values for ${textFromFile(unset.join(', '), 200)}.` };
  return { ok: true, names };
}
