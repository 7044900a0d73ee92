/** Checks that loaded LayersModels fit the VAE contract of docs/weights-format.md (shapes, latent sizes, finite weights). */
import type * as tf from '../tf';
import type { Part } from './artifacts';
import { WeightsError } from './manifest';
import { textFromFile } from './quote';

const showShape = (shape: readonly (number | null)[]) => textFromFile(`[${shape.map((d) => (d === null ? 'null' : d)).join(', ')}]`, 80);
/** [null, 784], [null, 28, 28] (no channel axis, as keras.datasets gives MNIST) or [null, 28, 28, 1]. */
const isImageShape = (s: readonly (number | null)[]) =>
  s[0] === null && ((s.length === 2 && s[1] === 784) || (s.length >= 3 && s.length <= 4 && s[1] === 28 && s[2] === 28 && (s.length === 3 || s[3] === 1)));
const IMAGE_SHAPES = '[null, 784], [null, 28, 28] or [null, 28, 28, 1] (28x28 grey images)';
const latentOf = (s: readonly (number | null)[]) => (s.length === 2 && s[0] === null && typeof s[1] === 'number' && s[1] > 0 ? s[1] : null);

/** The class input of a conditional model, [null, classes]: its number of classes, or null for another shape. */
const classesOf = (input: tf.SymbolicTensor | undefined) => (input ? latentOf(input.shape) : null);

/** " in <file>" when the file is known, for messages. */
const inFile = (file?: string) => (file ? ` in ${file}` : '');

/**
 * Checks the encoder's inputs (the image; a conditional model's one-hot class [null, classes] second)
 * and outputs ([mean], [mean, logVar] or [mean, logVar, z]); returns its latent size. `file` names it in messages.
 */
export function checkEncoder(encoder: tf.LayersModel, file?: string): number {
  if (encoder.inputs.length !== 1 && !(encoder.inputs.length === 2 && classesOf(encoder.inputs[1]) !== null)) {
    throw new WeightsError(`The encoder${inFile(file)} has ${encoder.inputs.length} inputs; expected the image, and for a conditional model the one-hot class [null, classes] second.`);
  }
  const input = encoder.inputs[0].shape;
  if (!isImageShape(input)) {
    throw new WeightsError(`The encoder's input${inFile(file)} has shape ${showShape(input)}; expected ${IMAGE_SHAPES}.`);
  }
  const outputs = encoder.outputs.map((o) => o.shape);
  if (outputs.length < 1 || outputs.length > 3) {
    throw new WeightsError(`The encoder${inFile(file)} has ${outputs.length} outputs; expected the mean alone, the mean and log-variance, or those two and a sample.`);
  }
  const sizes = outputs.slice(0, 2).map(latentOf);
  const bad = sizes.findIndex((z) => z === null);
  if (bad >= 0) {
    throw new WeightsError(`The encoder's output ${bad + 1}${inFile(file)} has shape ${showShape(outputs[bad])}; expected [null, latent size].`);
  }
  if (!sizes.every((z) => z === sizes[0])) {
    throw new WeightsError(`The encoder's outputs${inFile(file)} differ in size (${sizes.join(', ')}); the mean and log-variance must have the same latent size.`);
  }
  return sizes[0] as number;
}

/** Checks the decoder's inputs (z; a conditional model's one-hot class [null, classes] second) and output; returns its latent size. `file` names it in messages. */
export function checkDecoder(decoder: tf.LayersModel, file?: string): number {
  if (decoder.inputs.length !== 1 && !(decoder.inputs.length === 2 && classesOf(decoder.inputs[1]) !== null)) {
    throw new WeightsError(`The decoder${inFile(file)} has ${decoder.inputs.length} inputs; expected the latent code, and for a conditional model the one-hot class [null, classes] second.`);
  }
  const input = decoder.inputs[0].shape;
  const z = latentOf(input);
  if (z === null) throw new WeightsError(`The decoder's input${inFile(file)} has shape ${showShape(input)}; expected [null, latent size].`);
  if (decoder.outputs.length !== 1) {
    throw new WeightsError(`The decoder${inFile(file)} has ${decoder.outputs.length} outputs; expected one (the image).`);
  }
  const output = decoder.outputs[0].shape;
  if (!isImageShape(output)) {
    throw new WeightsError(`The decoder's output${inFile(file)} has shape ${showShape(output)}; expected ${IMAGE_SHAPES}.`);
  }
  return z;
}

/** Checks that the encoder, the decoder and the manifest agree on the latent size; returns it. */
export function checkLatentSizes(encoderZ: number | null, decoderZ: number, manifestZ: number | null): number {
  if (encoderZ !== null && encoderZ !== decoderZ) {
    throw new WeightsError(`The encoder's latent size is ${encoderZ} but the decoder expects ${decoderZ}.`);
  }
  if (manifestZ !== null && manifestZ !== decoderZ) {
    throw new WeightsError(`The manifest says the latent size is ${manifestZ} but the models use ${decoderZ}.`);
  }
  return decoderZ;
}

/** Throws when a weight of `model` holds NaN or an infinity, naming the weight (and `file`, when given). */
export async function checkFinite(model: tf.LayersModel, part: Part, file?: string): Promise<void> {
  for (const weight of model.weights) {
    const values = await weight.read().data();
    let nan = false;
    let inf = false;
    for (let i = 0; i < values.length && !nan; i++) {
      const v = values[i] as number;
      if (Number.isNaN(v)) nan = true;
      else if (v === Infinity || v === -Infinity) inf = true;
    }
    if (nan || inf) {
      throw new WeightsError(`The ${part}'s weights${inFile(file)} contain ${nan ? 'NaN' : 'infinite'} values (in ${textFromFile(weight.originalName, 100)}).`);
    }
  }
}

/** 'probabilities' when the decoder's last layer ends in a sigmoid, else 'logits' (for a decoder without manifest). */
export function guessDecoderOutput(decoder: tf.LayersModel): 'logits' | 'probabilities' {
  let layer: tf.layers.Layer | undefined = decoder.outputs[0]?.sourceLayer as tf.layers.Layer | undefined; // a Sequential's too
  for (let hops = 0; layer && hops < 3; hops++) {
    const config = layer.getConfig();
    if (config.activation === 'sigmoid') return 'probabilities';
    if (!['Reshape', 'Flatten', 'Activation'].includes(layer.getClassName())) return 'logits';
    layer = layer.inboundNodes[0]?.inboundLayers[0];
  }
  return 'logits';
}
