/**
 * The condition of a conditional VAE (Sohn et al. 2015): the one-hot class c joins the encoder's
 * input, q(z|x, c), and z at the decoder's input, p(x|z, c). The loss is the same ELBO, now a bound
 * on log p(x|c). Families call these helpers where their config says `conditional`.
 */
import * as tf from '../tf';
import type { Batch, TrainingOps } from '../ops';

/** Class labels as one-hot rows: [B] -> [B, classes], float32; throws in words for a label outside 0 to classes - 1. */
export function oneHot(labels: ArrayLike<number>, classes: number): tf.Tensor2D {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!(Number.isInteger(label) && label >= 0 && label < classes)) {
      throw new Error(`The label ${label} is outside this conditional model's ${classes} classes (0 to ${classes - 1}): a dataset with more classes needs a model made for them.`);
    }
  }
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), classes), 'float32') as tf.Tensor2D);
}

/** The one-hot class joined after a batch's features: a [B, F], c [B, C] -> [B, F + C], differentiable in a. */
export function joinClass(a: Batch, c: tf.Tensor2D, ops: TrainingOps): Batch {
  return ops.batch(tf.concat([ops.rows(a), c], 1));
}

/** The one-hot class joined after the data: x [B, D], c [B, C] -> [B, D + C], a constant like the data. */
export function joinClassToData(x: Batch, c: tf.Tensor2D, ops: TrainingOps): Batch {
  return ops.data(tf.concat([ops.rows(x), c], 1));
}

/** A conditional model's class, or an error in words when it lacks one: c [B, C] or undefined -> c. */
export function requireClass(c: tf.Tensor2D | undefined, what: string): tf.Tensor2D {
  if (!c) throw new Error(`This conditional VAE needs the class (one-hot) to ${what}.`);
  return c;
}

/** The symbolic one-hot class input of a conditional LayersModel: [null, classes]. */
export function classInput(classes: number, name: string): tf.SymbolicTensor {
  return tf.input({ shape: [classes], name });
}
