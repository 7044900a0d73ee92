/**
 * PyTorch VAE layouts recognised from a state dict's names alone, so a `.safetensors` file loads
 * without a layer list: pytorch/examples' VAE (`fc1`, `fc21`, `fc22`, `fc3`, `fc4`, a decoder ending
 * in a sigmoid), an MLP of `nn.Sequential`s `enc.N` / `head` / `dec.N` (the head's rows are the
 * means then the log-variances), and the Keras example's convolutional VAE written in PyTorch
 * (`conv1`, `conv2`, `fc`, `head`, `dfc`, `deconv1..3`). Names may carry a common `module.` or
 * `model.` prefix (nn.DataParallel, Lightning). Others map through the manifest's `torch` list.
 */
import type { StoredTensor } from './safetensors';
import type { TorchLayout, TorchStep } from './torch-layout';

/** A recognised layout and what its decoder outputs. */
export interface TorchPreset {
  /** In words, for messages: "pytorch/examples' VAE". */
  name: string;
  layout: TorchLayout;
  decoderOutput: 'logits' | 'probabilities';
}

/** What a description file beside the weights (vae-torch.json) may say. */
export interface TorchHints {
  /** "mlp" or "conv". */
  arch?: string;
  /** The hidden layers' activation (default relu). */
  activation?: string;
}

const PREFIXES = ['module.', 'model.', 'vae.'];

/** The prefix every weight name shares among the usual wrappers' prefixes, or ''. */
function commonPrefix(names: readonly string[]): string {
  for (const p of PREFIXES) if (names.length > 0 && names.every((n) => n.startsWith(p))) return p + commonPrefix(names.map((n) => n.slice(p.length)));
  return '';
}

/** Sorted indices N of the modules `<group>.N` that have a weight. */
function indices(names: ReadonlySet<string>, group: string): number[] {
  const out: number[] = [];
  for (const n of names) {
    const m = new RegExp(`^${group}\\.(\\d+)\\.weight$`).exec(n);
    if (m) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

function mlpSteps(modules: string[], activation: string, afterLast: boolean): TorchStep[] {
  return modules.flatMap((module, i) => {
    const steps: TorchStep[] = [{ kind: 'linear', module }];
    if (i < modules.length - 1 || afterLast) steps.push({ kind: 'activation', name: activation });
    return steps;
  });
}

/** Recognises the layout of a state dict from its tensor names (and shapes); null when none fits. */
export function recogniseTorchLayout(tensors: ReadonlyMap<string, StoredTensor>, hints: TorchHints = {}): TorchPreset | null {
  const all = [...tensors.keys()];
  const prefix = commonPrefix(all);
  const names = new Set(all.map((n) => n.slice(prefix.length)));
  const has = (...modules: string[]) => modules.every((m) => names.has(`${m}.weight`));
  const p = (m: string) => prefix + m;
  const act = hints.activation && /^(relu|leaky_relu|elu|tanh|sigmoid|softplus|silu)$/.test(hints.activation) ? hints.activation : 'relu';

  if (has('conv1', 'conv2', 'fc', 'head', 'dfc', 'deconv1', 'deconv2', 'deconv3') && hints.arch !== 'mlp') {
    const dfc = tensors.get(p('dfc.weight'))?.shape ?? [0];
    const deconv1 = tensors.get(p('deconv1.weight'))?.shape ?? [1];
    const channels = deconv1[0];
    const side = Math.round(Math.sqrt(dfc[0] / channels));
    const conv = (module: string, stride: number): TorchStep => ({ kind: 'conv', module: p(module), stride, padding: 1 });
    const deconv = (module: string, stride: number): TorchStep => ({ kind: 'convTranspose', module: p(module), stride, padding: 1, outputPadding: stride - 1 });
    const relu: TorchStep = { kind: 'activation', name: 'relu' };
    return {
      name: 'the convolutional VAE (conv1, conv2, fc, head, dfc, deconv1-3)',
      decoderOutput: 'logits',
      layout: {
        encoder: [conv('conv1', 2), relu, conv('conv2', 2), relu, { kind: 'flatten' }, { kind: 'linear', module: p('fc') }, relu],
        heads: { merged: p('head') },
        decoder: [
          { kind: 'linear', module: p('dfc') }, relu, { kind: 'view', shape: [channels, side, side] },
          deconv('deconv1', 2), relu, deconv('deconv2', 2), relu, deconv('deconv3', 1), { kind: 'flatten' },
        ],
      },
    };
  }
  if (has('fc1', 'fc21', 'fc3', 'fc4')) {
    return {
      name: "pytorch/examples' VAE (fc1, fc21, fc22, fc3, fc4)",
      decoderOutput: 'probabilities',
      layout: {
        encoder: [{ kind: 'linear', module: p('fc1') }, { kind: 'activation', name: 'relu' }],
        heads: { mean: p('fc21'), logVar: has('fc22') ? p('fc22') : null },
        decoder: [{ kind: 'linear', module: p('fc3') }, { kind: 'activation', name: 'relu' }, { kind: 'linear', module: p('fc4') }, { kind: 'activation', name: 'sigmoid' }],
      },
    };
  }
  const encGroup = indices(names, 'enc').length > 0 ? 'enc' : 'encoder';
  const decGroup = indices(names, 'dec').length > 0 ? 'dec' : 'decoder';
  const enc = indices(names, encGroup);
  const dec = indices(names, decGroup);
  if (dec.length > 0 && (has('head') || has('mean') || has('fc_mu'))) {
    const heads = has('head') ? { merged: p('head') } : has('mean') ? { mean: p('mean'), logVar: has('log_var') ? p('log_var') : null } : { mean: p('fc_mu'), logVar: has('fc_var') ? p('fc_var') : null };
    return {
      name: `an MLP VAE (${encGroup}.N, its heads, ${decGroup}.N)`,
      decoderOutput: 'logits',
      layout: {
        encoder: mlpSteps(enc.map((i) => p(`${encGroup}.${i}`)), act, true),
        heads,
        decoder: mlpSteps(dec.map((i) => p(`${decGroup}.${i}`)), act, false),
      },
    };
  }
  return null;
}
