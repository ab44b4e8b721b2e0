import { defineConfig } from "vitest/config";

// Tests drive the real codex binary and real git, so they are slow-ish and IO bound:
// run files in parallel (2 cores here) but give each test room.
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default"],
  },
});
