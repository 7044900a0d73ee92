/** The loss history for the chart: per-step values, an exponential moving average, and thinning for display. */
import type { StepMetrics } from '../core/train/trainer';

/** The three curves of the loss chart. */
export const LOSS_TERMS = ['total', 'reconstruction', 'kl'] as const;

/** One of them. */
export type LossTerm = (typeof LOSS_TERMS)[number];

/** Display-ready series: steps and values for each term, raw and smoothed. */
export interface LossSeries {
  steps: number[];
  raw: Record<LossTerm, number[]>;
  smooth: Record<LossTerm, number[]>;
}

/** A test-set evaluation after an epoch. */
export interface Evaluation {
  epoch: number;
  step: number;
  reconstruction: number;
  kl: number;
  total: number;
}

const emptyTerms = () => ({ total: [] as number[], reconstruction: [] as number[], kl: [] as number[] });

/** Per-step losses with a bias-corrected EMA (as TensorBoard smooths), appended as metrics arrive. */
export class LossHistory {
  readonly steps: number[] = [];
  readonly raw: Record<LossTerm, number[]> = emptyTerms();
  readonly smooth: Record<LossTerm, number[]> = emptyTerms();
  private readonly ema: Record<LossTerm, number> = { total: 0, reconstruction: 0, kl: 0 };
  private weightSum = 0;

  constructor(
    /** EMA decay per step: 0 is no smoothing. */
    readonly decay = 0.95,
  ) {}

  /** Steps recorded. */
  get length(): number {
    return this.steps.length;
  }

  /** Appends metrics (ignores steps already recorded). */
  append(metrics: readonly Pick<StepMetrics, 'step' | LossTerm>[]): void {
    for (const m of metrics) {
      if (this.steps.length > 0 && m.step <= this.steps[this.steps.length - 1]) continue;
      this.steps.push(m.step);
      this.weightSum = this.decay * this.weightSum + (1 - this.decay);
      for (const term of LOSS_TERMS) {
        this.raw[term].push(m[term]);
        this.ema[term] = this.decay * this.ema[term] + (1 - this.decay) * m[term];
        this.smooth[term].push(this.ema[term] / this.weightSum);
      }
    }
  }

  /** Forgets the steps from `step` on (after a rollback to the weights of `step`), smoothing included. */
  dropFrom(step: number): void {
    const keep = this.steps.findIndex((s) => s >= step);
    if (keep < 0) return;
    const metrics = this.steps.slice(0, keep).map((s, i) => ({ step: s, total: this.raw.total[i], reconstruction: this.raw.reconstruction[i], kl: this.raw.kl[i] }));
    this.steps.length = 0;
    for (const t of LOSS_TERMS) {
      this.raw[t].length = 0;
      this.smooth[t].length = 0;
      this.ema[t] = 0;
    }
    this.weightSum = 0;
    this.append(metrics);
  }

  /** At most about `maxPoints` evenly strided points (the last one always kept). */
  thinned(maxPoints: number): LossSeries {
    const n = this.steps.length;
    const stride = Math.max(1, Math.ceil(n / Math.max(1, maxPoints)));
    const pick = <T,>(xs: T[]) => {
      if (stride === 1) return xs.slice();
      const out: T[] = [];
      for (let i = 0; i < n; i += stride) out.push(xs[i]);
      if ((n - 1) % stride !== 0) out.push(xs[n - 1]);
      return out;
    };
    const raw = emptyTerms();
    const smooth = emptyTerms();
    for (const t of LOSS_TERMS) {
      raw[t] = pick(this.raw[t]);
      smooth[t] = pick(this.smooth[t]);
    }
    return { steps: pick(this.steps), raw, smooth };
  }
}
