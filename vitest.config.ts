import { defineConfig } from 'vitest/config';

// Four tiers that run and fail on their own (docs/architecture.md, "Test tiers"): unit = pure, no
// I/O; wire = real AWS SDK v3 against the AWS emulator; kube = engine and controllers against both
// emulators (and the real kubectl against the kube emulator); cluster = a real kube-apiserver from
// KUBEBUILDER_ASSETS (npm run test:cluster; not part of npm test, which needs nothing outside the repo).
// Hook timeouts match the test timeouts: starting both emulators and the controller in a
// beforeAll is a guard against a hang, not a speed target (2 shared cores in CI).
export default defineConfig({
  test: {
    // Two workers whatever the machine: vitest's default on two cores is one, which ran the files one
    // after another (199 s); with two the suite takes 131 s here, and a third worker gained only 10 s.
    maxWorkers: 2,
    // npm test's tiers share a worker's module cache across files (isolate: false): re-importing the
    // engine, both emulators and the SDK for each of 124 files cost 85 s of the run. Safe because no
    // test mocks modules or stubs globals; every file builds its own stack (ports, clocks, state).
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000, isolate: false } },
      {
        test: {
          name: 'wire',
          include: ['test/wire/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          isolate: false,
        },
      },
      {
        test: {
          name: 'kube',
          include: ['test/kube/**/*.test.ts'],
          isolate: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Each file starts its own etcd + kube-apiserver: two at a time on two cores.
          maxWorkers: 2,
        },
      },
      {
        // Issue 17's reliability suite: controller processes killed, faults injected, minutes per
        // file; run by .ci/run after the cluster tier (npx vitest run --project reliability), not by npm test.
        test: {
          name: 'reliability',
          include: ['test/reliability/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
        },
      },
    ],
  },
});
