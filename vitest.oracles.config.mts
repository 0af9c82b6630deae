// Slow oracle runs (QEMU re-runs of committed transcripts): `npm run oracles`, kept out of `npm test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.oracle.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 300_000,
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
