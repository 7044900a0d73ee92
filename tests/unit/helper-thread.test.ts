import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { HELPER_GEMM, helperJobsDone, runShared, startHelperThread } from '../../src/core/accelerator/helper-thread';
import { activeWasmBackend } from '../../src/core/accelerator/wasm-heap';

// The helper itself runs only in a cross-origin-isolated browser worker: tests/e2e/kernels.e2e.ts.
describe('kernel helper thread, where it cannot run (Node)', () => {
  it('does not start outside a browser worker with shared memory, and says so', async () => {
    const backend = activeWasmBackend();
    expect(tf.getBackend()).toBe('wasm');
    expect(backend).not.toBeNull();
    expect(await startHelperThread(backend!)).toBe(false);
    expect(await startHelperThread(backend!)).toBe(false); // asked again: the same answer, nothing started
  });

  it('then a shared kernel runs its whole range on the calling thread', () => {
    const calls: number[][] = [];
    const jobsBefore = helperJobsDone();
    runShared(activeWasmBackend()!, HELPER_GEMM, 10, 4, true, (start, end, thread) => [start, end, thread], (...args) => calls.push(args));
    expect(calls).toEqual([[0, 10, 0]]);
    expect(helperJobsDone()).toBe(jobsBefore);
  });
});
