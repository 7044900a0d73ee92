/**
 * The reparameterization trick and the closed-form KL as one kernel on the wasm backend, with its
 * gradient as a second: the latent block of a step is ~30 kernels on [Z, B] tensors when written
 * with stock ops, each costing more in dispatch than in arithmetic (Z x B is 2,560 numbers at
 * Z = 20, B = 128). Here both run as plain JavaScript over the tensors in tfjs-wasm's heap.
 *
 *   head [2Z, B] = mean rows then log-variance rows, eps [Z, B]:
 *   z = mean + exp(logVar / 2) eps                       [Z, B]
 *   kl[b] = 0.5 sum_j (mean² + exp(logVar) - logVar - 1)   [B]
 *   d head = [dz + dkl mean ; dz eps exp(logVar / 2) / 2 + dkl (exp(logVar) - 1) / 2]
 */
import * as tf from '../tf';
import { activeWasmBackend, registerWasmKernel } from './wasm-heap';

const SAMPLE = 'VaeLatentSample';
const SAMPLE_GRAD = 'VaeLatentSampleGrad';

/** The gradient of the sample kernel: d head by SAMPLE_GRAD (dz or dkl may be absent from the loss). */
const sampleGradient: Omit<tf.GradConfig, 'kernelName'> = {
  inputsToSave: ['head', 'eps'],
  gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [head, eps] = saved;
    const [dzOrNull, dklOrNull] = dys as (tf.Tensor | null)[];
    const dz = dzOrNull ?? tf.zerosLike(eps);
    const dkl = dklOrNull ?? tf.zeros([eps.shape[1] ?? 0]);
    return {
      head: () => tf.engine().runKernel<tf.Tensor>(SAMPLE_GRAD, { head, eps, dz, dkl }),
      // eps is noise, not a parameter; for completeness, dz * exp(logVar / 2).
      eps: () => tf.mul(dz, tf.exp(tf.mul(tf.slice(head, [eps.shape[0], 0], eps.shape), 0.5))),
    };
  },
};

function register(): void {
  registerWasmKernel(SAMPLE, ({ head, eps }, wasm) => {
    const [latent, batch] = eps.shape;
    const zInfo = wasm.makeOutput([latent, batch], 'float32');
    const klInfo = wasm.makeOutput([batch], 'float32');
    // Views after both allocations: an allocation can grow the heap and detach older views.
    const [h, e, z, kl] = [head, eps, zInfo, klInfo].map((t) => wasm.typedArrayFromHeap(t));
    kl.fill(0);
    for (let j = 0; j < latent; j++) {
      for (let b = 0; b < batch; b++) {
        const mean = h[j * batch + b];
        const logVar = h[(latent + j) * batch + b];
        const std = Math.exp(0.5 * logVar);
        z[j * batch + b] = mean + std * e[j * batch + b];
        kl[b] += 0.5 * (mean * mean + std * std - logVar - 1);
      }
    }
    return [zInfo, klInfo];
  }, sampleGradient);
  registerWasmKernel(SAMPLE_GRAD, ({ head, eps, dz, dkl }, wasm) => {
    const [latent, batch] = eps.shape;
    const outInfo = wasm.makeOutput([2 * latent, batch], 'float32');
    const [h, e, dZ, dKl, out] = [head, eps, dz, dkl, outInfo].map((t) => wasm.typedArrayFromHeap(t));
    for (let j = 0; j < latent; j++) {
      for (let b = 0; b < batch; b++) {
        const mean = h[j * batch + b];
        const logVar = h[(latent + j) * batch + b];
        const variance = Math.exp(logVar);
        const g = dZ[j * batch + b];
        out[j * batch + b] = g + dKl[b] * mean;
        out[(latent + j) * batch + b] = 0.5 * (g * e[j * batch + b] * Math.sqrt(variance) + dKl[b] * (variance - 1));
      }
    }
    return outInfo;
  });
}

/** True when the active backend runs the fused latent block (the wasm backend). */
export function canFuseLatentSample(): boolean {
  if (!activeWasmBackend()) return false;
  register();
  return true;
}

/** z = mean + exp(logVar / 2) eps and KL(q || N(0, I)) per example, from head [2Z, B] and eps [Z, B]. Differentiable. */
export function fusedLatentSample(head: tf.Tensor2D, eps: tf.Tensor2D): { z: tf.Tensor2D; kl: tf.Tensor1D } {
  if (head.shape[0] !== 2 * eps.shape[0] || head.shape[1] !== eps.shape[1]) throw new Error(`fusedLatentSample: head ${head.shape} does not match eps ${eps.shape}`);
  const [z, kl] = tf.engine().runKernel<tf.Tensor[]>(SAMPLE, { head, eps });
  return { z: z as tf.Tensor2D, kl: kl as tf.Tensor1D };
}
