/**
 * A straightforward tfjs training loop, the baseline of the benchmark: tf.layers' own apply()
 * and stock autodiff (transposed matMul kernels in the gradient), same loss, same Adam settings.
 */
import * as tf from '../src/core/tf';
import { BatchSampler } from '../src/core/data/batch-sampler';
import type { ImageDataset } from '../src/core/data/dataset';
import { bernoulliNll, klToStandardNormal, reparameterize } from '../src/core/model/elbo';
import type { Vae } from '../src/core/model/vae';

/** Trains `vae` the naive way; `trainStep` queues the loss, `readMetrics` reads it. */
export class NaiveTrainer {
  private readonly optimizer: tf.Optimizer;
  private readonly sampler: BatchSampler;
  private pending: tf.Scalar[] = [];

  constructor(
    private readonly vae: Vae,
    train: ImageDataset,
  ) {
    this.optimizer = tf.train.adam(vae.config.learningRate);
    this.sampler = new BatchSampler(train, vae.config.batchSize, { seed: 1 });
  }

  /** One Adam step on the next batch. */
  trainStep(): void {
    const { inputDim, latentDim } = this.vae.config;
    const batch = this.sampler.next();
    const loss = tf.tidy(() => {
      const x = tf.tensor2d(batch.pixels, [batch.size, inputDim]); // [B, D]
      const eps = tf.randomNormal([batch.size, latentDim]) as tf.Tensor2D; // [B, Z]
      return this.optimizer.minimize(() => {
        const [mean, logVar] = this.vae.encoder.apply(x) as tf.Tensor2D[];
        const logits = this.vae.decoder.apply(reparameterize(mean, logVar, eps)) as tf.Tensor2D;
        return tf.mean(tf.add(bernoulliNll(logits, x), klToStandardNormal(mean, logVar))) as tf.Scalar;
      }, true, this.vae.trainableVariables())!;
    });
    this.pending.push(loss);
  }

  /** Reads and frees the queued losses. */
  async readMetrics(): Promise<number[]> {
    const values = await Promise.all(this.pending.map((t) => t.data()));
    tf.dispose(this.pending);
    this.pending = [];
    return values.map((v) => v[0]);
  }

  /** Frees the optimizer state. */
  dispose(): void {
    this.optimizer.dispose();
  }
}
