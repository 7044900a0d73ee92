/** Training throughput over a sliding window of a few seconds. */

/** Records (time, step) samples and reports examples per second over the last `windowMs`. */
export class Throughput {
  private samples: { time: number; step: number }[] = [];

  constructor(private readonly windowMs = 3000) {}

  /** Forgets the past (training starts or the model changes). */
  reset(time?: number, step?: number): void {
    this.samples = time === undefined || step === undefined ? [] : [{ time, step }];
  }

  /** Adds a sample and drops those older than the window (keeping at least two). */
  record(time: number, step: number): void {
    this.samples.push({ time, step });
    while (this.samples.length > 2 && time - this.samples[0].time > this.windowMs) this.samples.shift();
  }

  /** Examples per second at the given batch size (0 without two samples). */
  examplesPerSecond(batchSize: number): number {
    const w = this.samples;
    if (w.length < 2) return 0;
    const dt = (w[w.length - 1].time - w[0].time) / 1000;
    return dt > 0 ? ((w[w.length - 1].step - w[0].step) * batchSize) / dt : 0;
  }
}
