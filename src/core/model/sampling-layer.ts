/** The Keras VAE example's `Sampling` layer, so converted Keras encoders with a sampled third output load. */
import * as tf from '../tf';

/** z = mean + exp(0.5 * logVar) * eps with eps ~ N(0, I): inputs [mean, logVar], each [B, Z] -> z [B, Z]. */
export class Sampling extends tf.layers.Layer {
  /** The class name Keras writes into the model topology. */
  static className = 'Sampling';

  /** The output has the shape of the mean input. */
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shapes = inputShape as tf.Shape[];
    if (!Array.isArray(shapes[0])) throw new Error('The Sampling layer needs two inputs: the mean and the log-variance.');
    return shapes[0];
  }

  /** Draws one sample per row: [B, Z]. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 2) {
        throw new Error('The Sampling layer needs two inputs: the mean and the log-variance.');
      }
      const [mean, logVar] = inputs; // [B, Z] each
      const eps = tf.randomNormal(mean.shape); // [B, Z]
      return tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
    });
  }
}

tf.serialization.registerClass(Sampling);
