/**
 * A share of the training worker's time for something other than training (the displays' work, the
 * pauses the page asks for while it draws): a token bucket that fills at `share` milliseconds per
 * millisecond of wall time, up to `burstMs`. Work may start while the bucket holds anything and pays
 * for what it took afterwards (the bucket may go negative: a long piece of work, such as a
 * convolutional decoder's manifold, then waits until it is paid back). Over any long stretch the
 * work gets at most `share` of the wall time, however long a single piece is.
 * Pure arithmetic over an injected clock.
 */
export class TimeBudget {
  private tokens: number;
  private last: number;

  constructor(
    /** Fraction of wall time the displays may take, (0, 1]. */
    readonly share: number,
    private readonly now: () => number,
    /** Most milliseconds saved up for one go. */
    private readonly burstMs = 40,
  ) {
    if (!(share > 0 && share <= 1)) throw new Error(`A share of the time must be in (0, 1], not ${share}.`);
    this.tokens = burstMs;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burstMs, this.tokens + (t - this.last) * this.share);
    this.last = t;
  }

  /** True when work may start now. */
  available(): boolean {
    this.refill();
    return this.tokens > 0;
  }

  /** Pays for `ms` of work. */
  spend(ms: number): void {
    this.refill();
    this.tokens -= ms;
  }

  /** Fills the bucket (training starts: the first displays come at once). */
  refillNow(): void {
    this.tokens = this.burstMs;
    this.last = this.now();
  }
}
