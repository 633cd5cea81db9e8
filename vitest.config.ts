import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/support/build.ts"],
    // Real databases, real child processes and real servers: give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
    // expect.poll waits for something that happens elsewhere (a browser, a worker): give it the
    // time a busy machine needs rather than the default 1 s.
    expect: { poll: { timeout: 15_000 } },
  },
});
