import { defineConfig } from 'vitest/config';

// Three tiers that run and fail on their own (see ../shared/design/ARCHITECTURE.md, "Test pyramid"):
// unit = pure, no I/O; wire = real AWS SDK v3 against the AWS emulator; kube = engine and
// controllers against both emulators (and the real kubectl against the kube emulator).
// Hook timeouts match the test timeouts: starting both emulators and the controller in a
// beforeAll is a guard against a hang, not a speed target (2 shared cores in CI).
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000 } },
      {
        test: { name: 'wire', include: ['test/wire/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        test: {
          name: 'kube',
          include: ['test/kube/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
