import { defineConfig } from 'vitest/config';

// CI-only suites: they need services that .ci/run starts (fake-gcs-server, bigquery-emulator)
// or the Python CatBoost oracle. Each suite reads its endpoints from the environment .ci/run sets
// and fails (not skips) when CI=true and the service is missing.
export default defineConfig({
  test: {
    include: ['test/ci/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
