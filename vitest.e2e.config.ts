import { defineConfig } from 'vitest/config';

/**
 * Browser tests (npm run test:e2e): Debian's Chromium driven by playwright-core against the
 * production build served by `vite preview`. Node environment, no tfjs setup; one file at a time
 * (each page trains on every core of the machine).
 */
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['tests/e2e/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    teardownTimeout: 30_000,
    fileParallelism: false,
    pool: 'forks',
    sequence: { concurrent: false },
  },
});
