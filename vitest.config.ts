import { configDefaults, defineConfig } from 'vitest/config';

// The fault suite runs only through `npm run test:faults` (`--project faults`); `npm test` names its
// two projects so the slow fault scenarios never run twice.
const notFaults = [...configDefaults.exclude, 'test/faults/**'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: notFaults,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/contract/**/*.test.ts'],
          exclude: notFaults,
          // Integration files share one MariaDB and one RabbitMQ: run them one at a time.
          fileParallelism: false,
          globalSetup: ['test/helpers/require-services.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          // Real processes, a shared broker and deliberate outages: one file at a time, slow timeouts.
          fileParallelism: false,
          globalSetup: ['test/helpers/require-services.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
