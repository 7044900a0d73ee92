/**
 * Loading a PyTorch VAE from a `.safetensors` state dict: the tensors are read as numbers only
 * (safetensors.ts), mapped to layers by the manifest's `torch` list or by a recognised layout
 * (torch-presets.ts), and built into two tfjs LayersModels (torch-build.ts).
 */
import type * as tf from '../tf';
import { disposeModel } from './artifacts';
import type { TorchPlan } from './locate';
import { MANIFEST_FORMAT, MANIFEST_VERSION, WeightsError, type VaeManifest } from './manifest';
import { isWhole } from './manifest-fields';
import { quoteFromFile, showLocation, textFromFile } from './quote';
import { readSafetensors, type StoredTensor } from './safetensors';
import type { ReadOptions, WeightsSource } from './source';
import { buildTorchModels } from './torch-build';
import { layoutModules, type TorchLayout } from './torch-layout';
import { recogniseTorchLayout } from './torch-presets';

/** Two LayersModels made from a state dict, with the manifest that describes them (read or made up). */
export interface TorchLoaded {
  manifest: VaeManifest;
  encoder: tf.LayersModel;
  decoder: tf.LayersModel;
  latentDim: number;
}

const outputKind = (v: unknown) => (v === 'logits' || v === 'probabilities' ? v : undefined);
const likelihoodOf = (v: unknown) => (v === 'bernoulli' || v === 'gaussian' ? v : undefined);

/** Refuses a layout naming a module the state dict lacks, and a state dict with tensors the layout leaves out (the forward pass would be another one). */
function checkAllUsed(tensors: ReadonlyMap<string, StoredTensor>, layout: TorchLayout, where: string, how: string): void {
  const missing = layoutModules(layout).find((m) => !tensors.has(`${m}.weight`));
  if (missing !== undefined) {
    throw new WeightsError(`${where} has no tensor ${quoteFromFile(`${missing}.weight`, 100)}, which ${how} needs for the module ${quoteFromFile(missing, 100)}.`);
  }
  const used = new Set(layoutModules(layout).flatMap((m) => [`${m}.weight`, `${m}.bias`]));
  const unused = [...tensors.keys()].filter((name) => !used.has(name));
  if (unused.length > 0) {
    throw new WeightsError(
      `${where} holds ${textFromFile(unused.slice(0, 4).join(', '), 160)}${unused.length > 4 ? ` and ${unused.length - 4} more` : ''}, which ${how} does not use; ` +
        'list every layer of the forward pass in the manifest\'s "torch" field (docs/loading-models.md).',
    );
  }
}

/**
 * Reads the state dict of `plan` and builds its models once `buildAfter` has settled. Throws
 * WeightsError naming the file and the module when something does not fit.
 */
export async function loadTorch(source: WeightsSource, plan: TorchPlan, read: ReadOptions, buildAfter?: Promise<unknown>): Promise<TorchLoaded> {
  const where = showLocation(plan.weights);
  const described = plan.description ?? {};
  if (isWhole(described.classes, 1) || plan.manifest?.conditional) {
    throw new WeightsError(`${where} holds a conditional VAE (the class joins the encoder's and the decoder's inputs); this app does not load conditional PyTorch models yet.`);
  }
  const tensors = readSafetensors(plan.bytes ?? (await source.read(plan.weights, read)), plan.weights);
  let layout = plan.manifest?.torch;
  let how = 'the manifest\'s "torch" list';
  let presetOutput: 'logits' | 'probabilities' | undefined;
  if (!layout) {
    const hints = { arch: typeof described.arch === 'string' ? described.arch : undefined, activation: typeof described.activation === 'string' ? described.activation : undefined };
    const preset = recogniseTorchLayout(tensors, hints);
    if (!preset) {
      const modules = [...new Set([...tensors.keys()].map((n) => n.replace(/\.(weight|bias)$/, '')))];
      throw new WeightsError(
        `${where} holds the modules ${textFromFile(modules.slice(0, 8).join(', '), 200)}, a layout this app does not recognise; ` +
          'write a vae.json beside it that names the file and lists its layers in a "torch" field (docs/loading-models.md).',
      );
    }
    ({ layout } = preset);
    how = preset.name;
    presetOutput = preset.decoderOutput;
  }
  checkAllUsed(tensors, layout, where, how);
  const decoderOutput = plan.manifest?.decoderOutput ?? outputKind(described.decoderOutput) ?? presetOutput ?? 'logits';
  await buildAfter;
  const models = buildTorchModels(layout, tensors, where);
  if (typeof described.latent === 'number' && described.latent !== models.latentDim) {
    disposeModel(models.encoder);
    disposeModel(models.decoder);
    throw new WeightsError(`${where}: its description says the latent size is ${quoteFromFile(described.latent)} but the heads give ${models.latentDim}.`);
  }
  const manifest: VaeManifest = plan.manifest
    ? { ...plan.manifest }
    : {
        format: MANIFEST_FORMAT,
        version: MANIFEST_VERSION,
        latentDim: models.latentDim,
        image: [28, 28, 1],
        likelihood: likelihoodOf(described.likelihood) ?? 'bernoulli',
        decoderOutput,
        dataset: 'mnist',
        classes: 10,
        conditional: false,
      };
  return { manifest, ...models };
}
