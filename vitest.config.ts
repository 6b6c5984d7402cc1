import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests spawn the built CLI and real tools, so a test file mostly waits on child processes: vitest's
    // default (one fork per core but one) runs them one at a time on two cores. Two forks there cut the
    // wall time by about a quarter (measured on test/cli + test/project: 112 s -> 83 s; three or four gained nothing).
    pool: 'forks',
    poolOptions: { forks: { minForks: 1, maxForks: Math.max(2, availableParallelism() - 1) } },
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      // Most behaviour is exercised through the built CLI in child processes, which v8 coverage of
      // this process does not see; the floor guards the in-process unit and module tests.
      thresholds: { lines: 55, statements: 55, functions: 69, branches: 74 },
    },
  },
});
