import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests spawn the built CLI and real tools; two cores are the norm here.
    pool: 'forks',
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      // Most behaviour is exercised through the built CLI in child processes, which v8 coverage of
      // this process does not see; the floor guards the in-process unit and module tests.
      thresholds: { lines: 45, statements: 45, functions: 68, branches: 73 },
    },
  },
});
