import { defineConfig } from 'vitest/config';

// `npm test`: everything that needs no emulator. CI-only suites (fake-gcs-server,
// bigquery-emulator, CatBoost-in-Python parity on the shared V9 models) live under
// test/ci/ and run through vitest.ci.config.ts, started by .ci/run.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'config/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/ci/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
