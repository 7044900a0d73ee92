/**
 * Unit tests over both implementations of the training ops (src/core/ops): `describe.each(KERNELS)`
 * with `useKernels(kernels)` inside runs a block once on the wasm accelerator's ops and once on the
 * stock tfjs ops (stock again where the backend is not wasm, e.g. TF_BACKEND=cpu).
 */
import { afterAll, beforeAll } from 'vitest';
import { kernelsFromEnv } from '../../../scripts/lib/tf-node';
import { opsFor } from '../../../src/core/accelerator';
import { setTrainingOps, trainingOps, type KernelsChoice } from '../../../src/core/ops';

/**
 * Both implementations, for describe.each; only VAE_KERNELS' when it is set (.ci/run runs the whole
 * suite once more with VAE_KERNELS=stock).
 */
export const KERNELS: readonly KernelsChoice[] = process.env.VAE_KERNELS ? [kernelsFromEnv()] : ['accelerated', 'stock'];

/** Runs the enclosing describe block on `kernels`' ops; the ops in use before are back after it. */
export function useKernels(kernels: KernelsChoice): void {
  let before = trainingOps();
  beforeAll(() => {
    before = trainingOps();
    setTrainingOps(opsFor(kernels));
  });
  afterAll(() => setTrainingOps(before));
}

export { withKernels } from '../../../src/core/accelerator';
