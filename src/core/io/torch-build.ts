/**
 * Building tfjs LayersModels from a PyTorch state dict and its layout (torch-layout.ts), with
 * PyTorch's conventions translated exactly: `nn.Linear` weight [out, in] -> Dense kernel [in, out];
 * `nn.Conv2d` [out, in, kh, kw] -> Conv2D kernel [kh, kw, in, out] after explicit zero padding
 * (PyTorch pads both sides alike, tfjs' "same" pads the bottom and right more); `nn.ConvTranspose2d`
 * [in, out, kh, kw] -> Conv2DTranspose kernel [kh, kw, out, in], "valid", then cropped by `padding`
 * (and `padding - output_padding` at the bottom and right); tensors stay NHWC inside and are permuted
 * to PyTorch's C, H, W order wherever PyTorch flattens or views them, so every Linear sees its inputs
 * in the order it was trained on.
 */
import * as tf from '../tf';
import { WeightsError } from './manifest';
import { quoteFromFile } from './quote';
import type { StoredTensor } from './safetensors';
import { TORCH_ACTIVATIONS, type TorchLayout, type TorchStep } from './torch-layout';

/** The two models of a PyTorch VAE, ready to run; the caller owns them. */
export interface TorchModels {
  /** image -> [mean, logVar] (or [mean] alone), each [null, Z]. */
  encoder: tf.LayersModel;
  /** [null, Z] -> [null, 784] or [null, 28, 28, 1]. */
  decoder: tf.LayersModel;
  latentDim: number;
}

/** Weights waiting to be set once the model exists: a layer and its [kernel, bias] values. */
type Pending = [tf.layers.Layer, tf.Tensor[]];

interface Ctx {
  file: string;
  tensors: ReadonlyMap<string, StoredTensor>;
  pending: Pending[];
}

const shapeText = (s: readonly (number | null)[]) => `[${s.map((d) => d ?? 'batch').join(', ')}]`;
const layerName = (module: string) => `torch_${module.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 120);

/** The weight (and bias, if stored) of `module`, checked to have `rank` dimensions. */
function moduleWeights(ctx: Ctx, module: string, rank: number, kind: string): { weight: StoredTensor; bias: StoredTensor | null } {
  const weight = ctx.tensors.get(`${module}.weight`);
  if (!weight) throw new WeightsError(`${ctx.file} has no tensor ${quoteFromFile(`${module}.weight`, 100)}, which the layer list needs for the ${kind} ${quoteFromFile(module, 100)}.`);
  if (weight.shape.length !== rank) {
    throw new WeightsError(`${ctx.file}: ${quoteFromFile(`${module}.weight`, 100)} has shape ${shapeText(weight.shape)}, not the ${rank} dimensions of an ${kind}.`);
  }
  const bias = ctx.tensors.get(`${module}.bias`) ?? null;
  const out = kind === 'nn.ConvTranspose2d' ? weight.shape[1] : weight.shape[0];
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== out)) {
    throw new WeightsError(`${ctx.file}: ${quoteFromFile(`${module}.bias`, 100)} has shape ${shapeText(bias.shape)} but its weight has ${out} outputs.`);
  }
  return { weight, bias };
}

function mismatch(ctx: Ctx, module: string, kind: string, wants: string, gets: readonly (number | null)[]): WeightsError {
  return new WeightsError(`${ctx.file}: the ${kind} ${quoteFromFile(module, 100)} takes ${wants} but the step before gives ${shapeText(gets)}.`);
}

/** A Dense layer computing rows `rows` of an nn.Linear (all rows unless told): out = x W[rows]^T + b[rows]. */
function linear(ctx: Ctx, x: tf.SymbolicTensor, module: string, rows?: [number, number], name = layerName(module)): tf.SymbolicTensor {
  const { weight, bias } = moduleWeights(ctx, module, 2, 'nn.Linear');
  const [outs, ins] = weight.shape;
  if (x.shape.length !== 2 || x.shape[1] !== ins) throw mismatch(ctx, module, 'nn.Linear', `${ins} features`, x.shape);
  const [from, to] = rows ?? [0, outs];
  const layer = tf.layers.dense({ units: to - from, useBias: bias !== null, name });
  const y = layer.apply(x) as tf.SymbolicTensor;
  const values: tf.Tensor[] = [tf.tidy(() => tf.transpose(tf.tensor2d(weight.values.subarray(from * ins, to * ins), [to - from, ins])))]; // [in, out]
  if (bias) values.push(tf.tensor1d(bias.values.subarray(from, to)));
  ctx.pending.push([layer, values]);
  return y;
}

function conv(ctx: Ctx, x: tf.SymbolicTensor, step: Extract<TorchStep, { kind: 'conv' | 'convTranspose' }>): tf.SymbolicTensor {
  const transposed = step.kind === 'convTranspose';
  const kind = transposed ? 'nn.ConvTranspose2d' : 'nn.Conv2d';
  const { weight, bias } = moduleWeights(ctx, step.module, 4, kind);
  const [a, b, kh, kw] = weight.shape;
  const [ins, outs] = transposed ? [a, b] : [b, a];
  if (x.shape.length !== 4 || x.shape[3] !== ins) throw mismatch(ctx, step.module, kind, `${ins} channels`, x.shape);
  const name = layerName(step.module);
  const args = { filters: outs, kernelSize: [kh, kw], strides: step.stride, padding: 'valid' as const, useBias: bias !== null, name };
  let h = x;
  if (!transposed && step.padding > 0) h = tf.layers.zeroPadding2d({ padding: step.padding, name: `${name}_pad` }).apply(h) as tf.SymbolicTensor;
  const layer = transposed ? tf.layers.conv2dTranspose(args) : tf.layers.conv2d(args);
  h = layer.apply(h) as tf.SymbolicTensor;
  if (transposed) {
    const [height, width] = [x.shape[1] as number, x.shape[2] as number];
    const want = (n: number, k: number) => (n - 1) * step.stride - 2 * step.padding + k + step.outputPadding; // PyTorch's output size
    const crop = (full: number, n: number, k: number) => [step.padding, full - step.padding - want(n, k)];
    const cropping = [crop(h.shape[1] as number, height, kh), crop(h.shape[2] as number, width, kw)] as [[number, number], [number, number]];
    if (cropping.flat().some((c) => c < 0) || step.outputPadding >= step.stride) {
      throw new WeightsError(`${ctx.file}: the nn.ConvTranspose2d ${quoteFromFile(step.module, 100)} has an output_padding of ${step.outputPadding}, which must be smaller than its stride and its padding.`);
    }
    if (cropping.flat().some((c) => c > 0)) h = tf.layers.cropping2D({ cropping, name: `${name}_crop` }).apply(h) as tf.SymbolicTensor;
  }
  // [kh, kw, in, out] for Conv2D, [kh, kw, out, in] for Conv2DTranspose: both are PyTorch's axes (2, 3, 1, 0).
  const values: tf.Tensor[] = [tf.tidy(() => tf.transpose(tf.tensor4d(weight.values, weight.shape as [number, number, number, number]), [2, 3, 1, 0]))];
  if (bias) values.push(tf.tensor1d(bias.values));
  ctx.pending.push([layer, values]);
  return h;
}

function applyStep(ctx: Ctx, x: tf.SymbolicTensor, step: TorchStep): tf.SymbolicTensor {
  switch (step.kind) {
    case 'linear':
      return linear(ctx, x, step.module);
    case 'conv':
    case 'convTranspose':
      return conv(ctx, x, step);
    case 'activation':
      return (step.name === 'leaky_relu' ? tf.layers.leakyReLU({ alpha: 0.01 }) : tf.layers.activation({ activation: TORCH_ACTIVATIONS[step.name] as 'relu' })).apply(x) as tf.SymbolicTensor;
    case 'flatten':
      if (x.shape.length === 2) return x;
      return tf.layers.flatten().apply(tf.layers.permute({ dims: [3, 1, 2] }).apply(x)) as tf.SymbolicTensor; // NHWC -> PyTorch's C, H, W order
    case 'view': {
      const [c, h, w] = step.shape;
      const size = x.shape.slice(1).reduce((p: number, d) => p * (d ?? 0), 1);
      if (size !== c * h * w) throw new WeightsError(`${ctx.file}: the view ${shapeText(step.shape)} needs ${c * h * w} values but the step before gives ${shapeText(x.shape)}.`);
      const chw = x.shape.length === 4 ? tf.layers.permute({ dims: [3, 1, 2] }).apply(x) : x;
      return tf.layers.permute({ dims: [2, 3, 1] }).apply(tf.layers.reshape({ targetShape: [c, h, w] }).apply(chw)) as tf.SymbolicTensor; // -> NHWC
    }
  }
}

/** Runs the steps; a convolution first takes the image as [28, 28, 1], anything else as 784 values. */
function run(ctx: Ctx, steps: readonly TorchStep[], input: tf.SymbolicTensor): tf.SymbolicTensor {
  return steps.reduce((x, step) => applyStep(ctx, x, step), input);
}

/**
 * Builds the encoder and decoder of `layout` from `tensors` (a state dict), `file` naming it in
 * messages. Throws WeightsError naming the module when a tensor is missing or its shape does not fit.
 */
export function buildTorchModels(layout: TorchLayout, tensors: ReadonlyMap<string, StoredTensor>, file: string): TorchModels {
  const ctx: Ctx = { file, tensors, pending: [] };
  const built: tf.LayersModel[] = [];
  const registry = tf.engine().registeredVariables;
  const before = new Set(Object.keys(registry));
  try {
    const firstEncoderStep = layout.encoder.find((s) => s.kind !== 'activation');
    const image = tf.input({ shape: firstEncoderStep?.kind === 'conv' ? [28, 28, 1] : [784], name: 'torch_image' });
    const features = run(ctx, layout.encoder, image);
    let outputs: tf.SymbolicTensor[];
    if ('merged' in layout.heads) {
      const rows = moduleWeights(ctx, layout.heads.merged, 2, 'nn.Linear').weight.shape[0];
      if (rows % 2 !== 0) throw new WeightsError(`${file}: the head ${quoteFromFile(layout.heads.merged, 100)} has ${rows} outputs; a head giving the means then the log-variances has an even number.`);
      outputs = [linear(ctx, features, layout.heads.merged, [0, rows / 2], 'torch_mean'), linear(ctx, features, layout.heads.merged, [rows / 2, rows], 'torch_log_var')];
    } else {
      outputs = [linear(ctx, features, layout.heads.mean, undefined, 'torch_mean')];
      if (layout.heads.logVar) outputs.push(linear(ctx, features, layout.heads.logVar, undefined, 'torch_log_var'));
    }
    const latentDim = outputs[0].shape[1] as number;
    built.push(tf.model({ inputs: image, outputs, name: 'torch_encoder' }));
    const z = tf.input({ shape: [latentDim], name: 'torch_z' });
    built.push(tf.model({ inputs: z, outputs: run(ctx, layout.decoder, z), name: 'torch_decoder' }));
    for (const [layer, values] of ctx.pending) layer.setWeights(values);
    return { encoder: built[0], decoder: built[1], latentDim };
  } catch (err) {
    // Layers are built (their variables made) as they are applied: free every variable made here.
    tf.dispose(Object.keys(registry).filter((name) => !before.has(name)).map((name) => registry[name]));
    if (err instanceof WeightsError) throw err;
    throw new WeightsError(`${file}: the PyTorch layers could not be rebuilt here (${err instanceof Error ? err.message.split('\n')[0].slice(0, 200) : 'unknown error'}).`);
  } finally {
    for (const [, values] of ctx.pending) tf.dispose(values);
  }
}
