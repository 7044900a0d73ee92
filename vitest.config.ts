import { defineConfig } from 'vitest/config';

/**
 * Node 20 has WebAssembly relaxed SIMD (the FMA of src/core/kernels/gemm.wat) behind a flag that
 * Chromium does not need; the test processes get it so that the kernel is tested here too.
 */
function relaxedSimdFlags(): string[] {
  const body = [0x00, ...[0, 1, 2].flatMap(() => [0xfd, 0x0c, ...new Array(16).fill(0)]), 0xfd, 0x85, 0x02, 0x0b]; // f32x4.relaxed_madd of 3 zeros
  const probe = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0, 10, body.length + 2, 1, body.length, ...body]);
  return WebAssembly.validate(probe) ? [] : ['--experimental-wasm-relaxed-simd'];
}

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.tsx'],
    environment: 'node',
    setupFiles: ['tests/unit/setup-tf.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    execArgv: relaxedSimdFlags(),
  },
});
