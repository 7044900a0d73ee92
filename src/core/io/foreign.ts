/**
 * The Codec of a loaded model of any supported shape (docs/weights-format.md): image-shaped encoder input
 * ([B, 28, 28] or [B, 28, 28, 1]), encoders with a third sampled output or the mean alone, decoders
 * that end in a sigmoid or output [B, 28, 28] or [B, 28, 28, 1].
 */
import * as tf from '../tf';
import type { Codec } from '../model/codec';
import type { LoadedModel } from './load';

/** Runs a LayersModel on concrete tensors (one pass, whatever the batch size); always a list of outputs. */
function run(model: tf.LayersModel, x: tf.Tensor): tf.Tensor[] {
  const out = model.apply(x, { training: false }) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}

/** Encodes and decodes through the loaded LayersModels; the caller keeps owning them. A mean-only encoder gives NaN log-variances. */
export function loadedCodec(loaded: LoadedModel): Codec {
  const { encoder, decoder, latentDim, decoderOutput } = loaded;
  const inputDim = 784;
  const imageShape = encoder ? [-1, ...encoder.inputs[0].shape.slice(1)] as number[] : [];
  const hasLogVar = encoder !== null && encoder.outputs.length >= 2;
  const encode = encoder
    ? (x: tf.Tensor2D) =>
        tf.tidy(() => {
          const input = imageShape.length > 2 ? tf.reshape(x, imageShape) : x; // [B, 28, 28(, 1)] or [B, D]
          const [mean, logVar] = run(encoder, input); // [B, Z] each; a third output (a sample of z) is ignored
          return { mean: mean as tf.Tensor2D, logVar: (logVar ?? tf.fill(mean.shape as [number, number], NaN)) as tf.Tensor2D };
        })
    : null;
  return {
    latentDim,
    inputDim,
    encode,
    hasLogVar,
    decode: (z) =>
      tf.tidy(() => {
        const out = tf.reshape(run(decoder, z)[0], [-1, inputDim]) as tf.Tensor2D; // [B, D]
        return decoderOutput === 'logits' ? tf.sigmoid(out) : tf.clipByValue(out, 0, 1);
      }),
  };
}
