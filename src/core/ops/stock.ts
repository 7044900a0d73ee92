/**
 * The training ops in plain tfjs: batch-major (one example per row, [B, features]), gradients by
 * tfjs' autodiff. The readable reference every faster implementation is tested against, and what
 * runs wherever nothing faster does (webgl, webgpu, cpu, and wasm with ?kernels=stock).
 */
import * as tf from '../tf';
import { klToStandardNormal, reconstructionNll, reparameterize } from '../model/elbo';
import type { AdamSlot, AdamStep, Batch, DenseActivation, TrainingOps } from './training-ops';

/** The activation applied element-wise, to a tensor of any layout. */
export function activate(pre: tf.Tensor2D, activation: DenseActivation): tf.Tensor2D {
  switch (activation) {
    case 'linear':
      return pre;
    case 'relu':
      return tf.relu(pre);
    case 'elu':
      return tf.elu(pre);
    case 'tanh':
      return tf.tanh(pre);
  }
}

/** Adam's update of one variable and its moments, in place (the formula of AdamStep). */
export function adamUpdate({ variable, grad: g, m, v }: AdamSlot, { keep1, keep2, stepSize, epsilon }: AdamStep): void {
  tf.tidy(() => {
    const mNew = tf.add(m, tf.mul(tf.sub(g, m), keep1));
    const vNew = tf.add(v, tf.mul(tf.sub(tf.square(g), v), keep2));
    m.assign(mNew);
    v.assign(vNew);
    variable.assign(tf.sub(variable, tf.mul(tf.div(mNew, tf.add(tf.sqrt(vNew), epsilon)), stepSize)));
  });
}

/** A batch-major tensor is already a Batch here. */
const asBatch = (t: tf.Tensor2D) => t as Batch;

/** Plain tfjs, batch-major: the reference. */
export const stockOps: TrainingOps = {
  kind: 'stock',
  batch: asBatch,
  data: asBatch,
  rows: (batch) => batch,
  // [B, in]·[in, out] + [out] -> [B, out]
  dense: (x, { kernel, bias, activation }) => asBatch(activate(tf.add(tf.matMul(x, kernel as tf.Tensor2D), bias) as tf.Tensor2D, activation)),
  gaussianHeads: (h, mean, logVar) => ({ mean: stockOps.dense(h, mean), logVar: stockOps.dense(h, logVar) }),
  sampleLatent: ({ mean, logVar }, eps) => ({ z: asBatch(reparameterize(mean, logVar, eps)), kl: klToStandardNormal(mean, logVar) }),
  reconstructionNll: (logits, x, likelihood, gaussianVariance) => reconstructionNll(logits, x, likelihood, gaussianVariance),
  adamUpdate: (slots, step) => slots.forEach((slot) => adamUpdate(slot, step)),
  beginStep: () => {},
};
