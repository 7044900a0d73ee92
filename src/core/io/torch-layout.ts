/**
 * How a PyTorch VAE's state dict maps to layers: the manifest's short `torch` layer list. The
 * encoder and decoder are each a list of steps run in order (a module name for an `nn.Linear`, an
 * activation, "flatten", or an object for convolutions and views); the encoder ends in its heads.
 *
 *   "torch": { "encoder": ["fc1", "relu"], "mean": "fc21", "logVar": "fc22", "decoder": ["fc3", "relu", "fc4", "sigmoid"] }
 *   "torch": { "encoder": ["enc.0", "relu"], "head": "head", "decoder": ["dec.0", "relu", "dec.2"] }
 *   {"conv": "conv1", "stride": 2, "padding": 1}, {"convTranspose": "deconv1", "stride": 2, "padding": 1, "outputPadding": 1}, {"view": [64, 7, 7]}
 *
 * `head` is one nn.Linear whose output rows are the means then the log-variances (`.chunk(2, dim=1)`).
 */
import { isObject, isText, isWhole, show, type Json } from './manifest-fields';

/** Activations a step may name, as tfjs names them. */
export const TORCH_ACTIVATIONS: Readonly<Record<string, string>> = {
  relu: 'relu', leaky_relu: 'leakyReLU', elu: 'elu', tanh: 'tanh', sigmoid: 'sigmoid', softplus: 'softplus', silu: 'swish',
};

/** One step of a forward pass. */
export type TorchStep =
  | { kind: 'linear'; module: string }
  | { kind: 'conv'; module: string; stride: number; padding: number }
  | { kind: 'convTranspose'; module: string; stride: number; padding: number; outputPadding: number }
  | { kind: 'activation'; name: string }
  | { kind: 'flatten' }
  | { kind: 'view'; shape: [number, number, number] };

/** The encoder's heads: separate mean and log-variance modules, one merged module, or the mean alone. */
export type TorchHeads = { mean: string; logVar: string | null } | { merged: string };

/** A PyTorch VAE's forward passes in terms of its state dict's module names. */
export interface TorchLayout {
  encoder: TorchStep[];
  heads: TorchHeads;
  decoder: TorchStep[];
}

const MAX_STEPS = 200;
const isModule = (v: unknown): v is string => isText(v, 200);

function parseStep(raw: unknown, where: string, bad: string[]): TorchStep | null {
  if (typeof raw === 'string') {
    if (raw in TORCH_ACTIVATIONS) return { kind: 'activation', name: raw };
    if (raw === 'flatten') return { kind: 'flatten' };
    if (isModule(raw)) return { kind: 'linear', module: raw };
  } else if (isObject(raw)) {
    const stride = raw.stride ?? 1;
    const padding = raw.padding ?? 0;
    const outputPadding = raw.outputPadding ?? 0;
    const numbersOk = isWhole(stride, 1, 64) && isWhole(padding, 0, 64) && isWhole(outputPadding, 0, 64);
    if (isModule(raw.conv) && numbersOk) return { kind: 'conv', module: raw.conv, stride, padding };
    if (isModule(raw.convTranspose) && numbersOk) return { kind: 'convTranspose', module: raw.convTranspose, stride, padding, outputPadding };
    if (isModule(raw.linear)) return { kind: 'linear', module: raw.linear };
    const v = raw.view;
    if (Array.isArray(v) && v.length === 3 && v.every((d) => isWhole(d, 1, 100000))) return { kind: 'view', shape: v as [number, number, number] };
  }
  bad.push(
    `${where} has the step ${show(raw)}; a step is a module name (an nn.Linear), an activation (${Object.keys(TORCH_ACTIVATIONS).join(', ')}), "flatten", ` +
      `{"conv": name, "stride", "padding"}, {"convTranspose": name, "stride", "padding", "outputPadding"} or {"view": [C, H, W]}`,
  );
  return null;
}

function parseSteps(raw: unknown, where: string, bad: string[]): TorchStep[] {
  if (!Array.isArray(raw) || raw.length > MAX_STEPS) {
    bad.push(`${where} must be a list of at most ${MAX_STEPS} steps (it is ${show(raw)})`);
    return [];
  }
  return raw.map((s) => parseStep(s, where, bad)).filter((s): s is TorchStep => s !== null);
}

/** Reads the manifest's `torch` field; problems go into `bad` as phrases naming the field. */
export function parseTorchLayout(raw: unknown, bad: string[]): TorchLayout | undefined {
  if (!isObject(raw)) {
    bad.push(`torch must be an object with encoder, mean and logVar (or head), and decoder (it is ${show(raw)})`);
    return undefined;
  }
  const r: Json = raw;
  const before = bad.length;
  const encoder = parseSteps(r.encoder ?? [], 'torch.encoder', bad);
  const decoder = parseSteps(r.decoder, 'torch.decoder', bad);
  let heads: TorchHeads | null = null;
  if (isModule(r.head) && r.mean === undefined) heads = { merged: r.head };
  else if (isModule(r.mean) && (r.logVar === undefined || r.logVar === null || isModule(r.logVar))) heads = { mean: r.mean, logVar: (r.logVar as string | undefined) ?? null };
  else bad.push('torch needs "mean" and "logVar" (module names of the two heads), "mean" alone, or "head" (one module giving the means then the log-variances)');
  if (decoder.length === 0 && bad.length === before) bad.push('torch.decoder lists no steps');
  return heads && bad.length === before ? { encoder, heads, decoder } : undefined;
}

/** The modules a layout reads (each with ".weight" and usually ".bias" in the state dict). */
export function layoutModules(layout: TorchLayout): string[] {
  const steps = [...layout.encoder, ...layout.decoder];
  const heads = 'merged' in layout.heads ? [layout.heads.merged] : [layout.heads.mean, ...(layout.heads.logVar ? [layout.heads.logVar] : [])];
  return [...steps.flatMap((s) => ('module' in s ? [s.module] : [])), ...heads];
}
