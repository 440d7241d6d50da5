import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests spawn the built CLI and a local STS endpoint; give them room on a
    // loaded two-core CI machine without hiding a hang.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    poolOptions: {
      forks: {
        // vitest's default is one fork fewer than the cores: ONE on a two-core machine, which
        // kept one core busy and left the other mostly idle (275 s wall for 266 s of CPU). Most
        // of the suite's CPU is the CLI processes the tests spawn, so two forks fill both cores.
        // Measured in docs/bench.md ("The test suite's time").
        maxForks: 2,
        minForks: 1,
      },
    },
    // One worker process runs many test files in turn instead of a fresh process (and a fresh
    // import of vitest, the AWS SDK and the test support) per file: ~0.3 s of CPU saved per file.
    // Safe because no test file changes process-wide state (process.env, cwd, umask, timers,
    // module mocks): every test gets its own HOME, endpoint and environment object.
    isolate: false,
    globalSetup: ["test/support/global-setup.ts"],
  },
});
