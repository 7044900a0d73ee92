/**
 * Adam (Kingma & Ba) with the bias corrections folded into one step size, so a variable's update
 * is 12 element-wise kernels instead of the ~20 of tf.train.adam. Each kernel is a dispatch on
 * WebGL and a pass over memory on wasm, so fewer is faster on both.
 *
 *   m ← m + (1 - β1)(g - m),  v ← v + (1 - β2)(g² - v)
 *   θ ← θ - α_t · m / (√v + ε̂),  α_t = α √(1 - β2^t) / (1 - β1^t),  ε̂ = ε √(1 - β2^t)
 * which equals θ - α · m̂ / (√v̂ + ε) with m̂ = m / (1 - β1^t), v̂ = v / (1 - β2^t).
 *
 * This class keeps the moments and the step count; the update itself is the training ops'
 * `adamUpdate` (../ops/stock.ts writes it out).
 */
import * as tf from '../tf';
import { trainingOps } from '../ops';

/** Adam hyper-parameters; the defaults equal tf.train.adam's. */
export interface AdamSettings {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** Adam over a fixed list of variables; `reset` zeroes its moments. */
export class Adam {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private moments: { m: tf.Variable; v: tf.Variable }[] | null = null;
  private steps = 0;

  constructor(settings: AdamSettings = {}) {
    this.beta1 = settings.beta1 ?? 0.9;
    this.beta2 = settings.beta2 ?? 0.999;
    this.epsilon = settings.epsilon ?? tf.backend().epsilon();
  }

  /** Number of updates applied since creation or the last reset. */
  get iterations(): number {
    return this.steps;
  }

  /** Updates every variable from its gradient (same order, same shapes) with step size `learningRate`. */
  apply(variables: tf.Variable[], grads: tf.Tensor[], learningRate: number): void {
    this.steps++;
    const sqrtCorrection2 = Math.sqrt(1 - this.beta2 ** this.steps);
    const stepSize = (learningRate * sqrtCorrection2) / (1 - this.beta1 ** this.steps);
    const epsilon = this.epsilon * sqrtCorrection2;
    // tidy: the zeros the moments start from are freed (a variable takes its own reference).
    this.moments ??= tf.tidy(() =>
      variables.map((v) => ({
        m: tf.variable(tf.zerosLike(v), false),
        v: tf.variable(tf.zerosLike(v), false),
      })),
    );
    const moments = this.moments;
    const slots = variables.map((variable, k) => ({ variable, grad: grads[k], m: moments[k].m, v: moments[k].v }));
    trainingOps().adamUpdate(slots, { keep1: 1 - this.beta1, keep2: 1 - this.beta2, stepSize, epsilon });
  }

  /** Zeroes the moments and the step count (after a rollback they may hold NaN). */
  reset(): void {
    this.dispose();
    this.steps = 0;
  }

  /** Frees the moment variables. */
  dispose(): void {
    this.moments?.forEach(({ m, v }) => {
      m.dispose();
      v.dispose();
    });
    this.moments = null;
  }
}
