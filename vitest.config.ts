import { defineConfig } from 'vitest/config';

// One runner for unit tests (beside their code), integration, chaos and end-to-end tests
// (under test/). Integration tests start real servers on 127.0.0.1 port 0.
export default defineConfig({
  test: {
    include: ['**/*.test.ts', '**/*.test.tsx'],
    exclude: ['**/node_modules/**', '.tools/**', 'dist/**', 'app/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll's default (1 s) is a wall-clock bound a loaded 2-core CI machine can miss;
    // a poll that passes is not slowed by a longer limit.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    reporters: ['default'],
  },
});
