import { configDefaults, defineConfig } from "vitest/config";

// Tests drive the real codex binary and real git, so they are slow-ish and IO bound:
// run files in parallel (2 cores here) but give each test room.
// Two projects, both run by `vitest run` (and so by `npm test` and CI): `unit`, everything else,
// and `slow`, the `*.slow.test.ts` files that take minutes on a busy machine.
// `vitest run --project unit` skips the slow ones while you work.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default"],
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["tests/**/*.test.ts"], exclude: [...configDefaults.exclude, "tests/**/*.slow.test.ts"] },
      },
      {
        extends: true,
        // The afterEach of a 200-request run waits for 200 audit commits: more than a minute under load.
        test: { name: "slow", include: ["tests/**/*.slow.test.ts"], testTimeout: 300_000, hookTimeout: 300_000 },
      },
    ],
  },
});
