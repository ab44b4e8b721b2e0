// Realistic PatchRunReport objects, shaped as the patch pipeline produces them, for the report,
// ledger and micro.json tests.
import type { CommandRun, FileChange, PatchLimits, PatchRunReport } from "../../src/protocol/patch-run.js";

export const BASE = "3f2a9c1d0b7e6a5f4c3b2a1908f7e6d5c4b3a291";
export const COMMIT = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d";

const poolDiff = `diff --git a/src/auth/redis-pool.ts b/src/auth/redis-pool.ts
index 1a2b3c4..5d6e7f8 100644
--- a/src/auth/redis-pool.ts
+++ b/src/auth/redis-pool.ts
@@ -1,5 +1,5 @@
 export const poolOptions = {
-  size: 10,
+  size: 50,
   idleMs: 30_000,
 };
`;

const testDiff = `diff --git a/tests/auth/redis-pool.test.ts b/tests/auth/redis-pool.test.ts
index 2b3c4d5..6e7f8a9 100644
--- a/tests/auth/redis-pool.test.ts
+++ b/tests/auth/redis-pool.test.ts
@@ -3,3 +3,7 @@ import { poolOptions } from "../../src/auth/redis-pool.js";
 it("has a pool", () => {
   expect(poolOptions.size).toBeGreaterThan(0);
 });
+
+it("serves 50 concurrent users", () => {
+  expect(poolOptions.size).toBeGreaterThanOrEqual(50);
+});
`;

export const poolChange: FileChange = {
  path: "src/auth/redis-pool.ts",
  oldPath: null,
  status: "modified",
  added: 1,
  removed: 1,
  binary: false,
  dependencyChange: false,
  diff: poolDiff,
};

export const testChange: FileChange = {
  path: "tests/auth/redis-pool.test.ts",
  oldPath: null,
  status: "modified",
  added: 4,
  removed: 0,
  binary: false,
  dependencyChange: false,
  diff: testDiff,
};

export const PATCH_LIMITS: PatchLimits = {
  maxFiles: 5,
  maxLinesPerFile: 50,
  maxTotalLines: 100,
  approvedFiles: ["src/auth/redis-pool.ts", "tests/auth/redis-pool.test.ts"],
  allowDependencyChanges: false,
  protectedPaths: [".git/**", ".autonomous_runs/**", "progress/**", "out/**"],
};

export const MICRO_LIMITS: PatchLimits = { ...PATCH_LIMITS, maxFiles: 2, maxLinesPerFile: 25, maxTotalLines: 25, approvedFiles: null };

/** A modified text file with only its counts (limit and ledger tests need no diff text). */
export function fileChange(file: string, added: number, removed = 0): FileChange {
  return { path: file, oldPath: null, status: "modified", added, removed, binary: false, dependencyChange: false, diff: "" };
}

export function run(command: string, status: CommandRun["status"], outputTail: string, exitCode: number | null, durationMs = 1234): CommandRun {
  return { command, argv: command.split(" "), status, exitCode, durationMs, outputTail };
}

const commitMessage = `fix(auth): raise the Redis pool to 50 connections

A pool of 10 connections runs dry at 50 concurrent users.

Verification:
- npm test (PASS)
- npx tsc --noEmit (PASS)

Request: 20260105_110000
Codex-Thread: 0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b`;

export function passedPatch(overrides: Partial<PatchRunReport> = {}): PatchRunReport {
  return {
    kind: "patch",
    id: "20260105_110000",
    status: "passed",
    title: "Fix auth timeout",
    description: "Fix the login timeout under load: the Redis pool runs out of connections.",
    startedAt: new Date("2026-01-05T11:10:00.250Z"),
    finishedAt: new Date("2026-01-05T11:11:04.000Z"),
    diagnosisPath: "out/codex-diagnosis-20260105-105500.md",
    taskPacketPath: "progress/TASK_PACKET.md",
    diagnosisSha256: null,
    routeDecisionSha256: null,
    approvedBy: "claude-chair",
    base: BASE,
    branch: "codex/patch-20260105_110000",
    commit: COMMIT,
    commitMessage,
    failedRef: null,
    patchFile: null,
    diff: { files: [poolChange, testChange], totalLines: 6, patch: poolDiff + testDiff },
    rationale: "The pool of 10 connections runs dry at peak load (per the diagnosis).",
    fileRationales: [
      { path: "src/auth/redis-pool.ts", rationale: "Raise the pool size to 50 to serve 50 concurrent users." },
      { path: "tests/auth/redis-pool.test.ts", rationale: "Pin the new minimum pool size." },
    ],
    violations: [],
    verification: [
      {
        command: "npm test",
        baseline: run("npm test", "pass", "Tests  11 passed (11)", 0, 2100),
        after: run("npm test", "pass", " ✓ tests/auth/redis-pool.test.ts (2 tests)\n Tests  12 passed (12)\n", 0, 2345),
        verdict: "pass",
      },
      {
        command: "npx tsc --noEmit",
        baseline: run("npx tsc --noEmit", "pass", "", 0, 3100),
        after: run("npx tsc --noEmit", "pass", "", 0, 3050),
        verdict: "pass",
      },
    ],
    attempts: 1,
    threadId: "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
    codexVersion: "0.169.0",
    model: "gpt-5-codex",
    failure: null,
    missing: [],
    merge: null,
    overlap: [],
    limits: PATCH_LIMITS,
    timing: { setupMs: 412, codexMs: 48210, verifyMs: 10545, totalMs: 63750 },
    ...overrides,
  };
}

/** Verification broke and the one repair attempt did not fix it. */
export function failedPatch(overrides: Partial<PatchRunReport> = {}): PatchRunReport {
  return passedPatch({
    status: "failed",
    startedAt: new Date("2026-01-05T12:00:07.000Z"),
    finishedAt: new Date("2026-01-05T12:02:00.000Z"),
    commit: null,
    commitMessage: null,
    failedRef: "refs/codex-relay/failed/20260105_110000",
    patchFile: ".autonomous_runs/.relay/failed/20260105_110000.patch",
    diff: { files: [poolChange], totalLines: 2, patch: poolDiff },
    fileRationales: [{ path: "src/auth/redis-pool.ts", rationale: "Raise the pool size to 50." }],
    verification: [
      {
        command: "npm test",
        baseline: run("npm test", "pass", "Tests  11 passed (11)", 0, 2100),
        after: run(
          "npm test",
          "fail",
          " FAIL tests/auth/timeout.test.ts > times out after 5s\nAssertionError: expected 1000 to be 5000\n Tests  1 failed | 10 passed (11)\n",
          1,
          2400,
        ),
        verdict: "broken",
      },
      {
        command: "npm run lint",
        baseline: run("npm run lint", "fail", "src/legacy.ts:3:1 error no-var", 1, 900),
        after: run("npm run lint", "fail", "src/legacy.ts:3:1 error no-var", 1, 950),
        verdict: "pre_existing",
      },
    ],
    attempts: 2,
    failure: {
      code: "verification_failed",
      message: "`npm test` passed on the base commit and fails after the patch (exit 1), also after 1 repair attempt.",
      hint: "The patch broke a verification command and the repair attempt did not fix it; the attempt is kept for inspection (see the report), re-diagnose with its output.",
    },
    timing: { setupMs: 380, codexMs: 90120, verifyMs: null, totalMs: 113000 },
    ...overrides,
  });
}

/** No route decision: the patch never ran. */
export function abortedPatch(overrides: Partial<PatchRunReport> = {}): PatchRunReport {
  return passedPatch({
    status: "aborted",
    startedAt: new Date("2026-01-05T13:00:00.000Z"),
    finishedAt: new Date("2026-01-05T13:00:00.120Z"),
    diagnosisPath: "out/codex-diagnosis-20260105-105500.md",
    base: null,
    branch: null,
    commit: null,
    commitMessage: null,
    diff: null,
    rationale: "",
    fileRationales: [],
    verification: [],
    attempts: 0,
    threadId: null,
    model: null,
    failure: {
      code: "patch_prerequisites",
      message: "The patch is missing 1 prerequisite: progress/ROUTE_DECISION.md.",
      hint: "A patch needs progress/TASK_PACKET.md …",
    },
    missing: [
      {
        what: "route_decision",
        path: "progress/ROUTE_DECISION.md",
        message: "progress/ROUTE_DECISION.md does not exist.",
        fix: "Write progress/ROUTE_DECISION.md with `permission: codex-rw`, `approved_by:` and an `## Approved Files` list.",
      },
    ],
    timing: { setupMs: null, codexMs: null, verifyMs: null, totalMs: 120 },
    ...overrides,
  });
}

/** A micro edit that passed its gates. */
export function passedMicro(overrides: Partial<PatchRunReport> = {}): PatchRunReport {
  const change: FileChange = {
    path: "src/utils/validation.ts",
    oldPath: null,
    status: "modified",
    added: 3,
    removed: 1,
    binary: false,
    dependencyChange: false,
    diff: `diff --git a/src/utils/validation.ts b/src/utils/validation.ts
--- a/src/utils/validation.ts
+++ b/src/utils/validation.ts
@@ -1,3 +1,5 @@
 export function validateEmail(email: string | null): boolean {
-  return EMAIL.test(email);
+  if (email === null) return false;
+  // a null email is invalid, not an exception
+  return EMAIL.test(email);
 }
`,
  };
  return passedPatch({
    kind: "micro",
    id: "20260105_140000",
    title: "Add null check to user email validation",
    description: "Add null check to user email validation",
    startedAt: new Date("2026-01-05T14:00:00.000Z"),
    finishedAt: new Date("2026-01-05T14:00:32.400Z"),
    diagnosisPath: null,
    taskPacketPath: null,
    branch: "codex/micro-20260105_140000",
    diff: { files: [change], totalLines: 4, patch: change.diff },
    fileRationales: [{ path: change.path, rationale: "Return false for a null email." }],
    verification: [
      { command: "npm test", baseline: run("npm test", "pass", "Tests 155 passed (155)", 0, 11800), after: run("npm test", "pass", "Tests 156 passed (156)", 0, 12300), verdict: "pass" },
      { command: "npm run lint", baseline: run("npm run lint", "pass", "", 0, 800), after: run("npm run lint", "pass", "", 0, 820), verdict: "pass" },
    ],
    limits: MICRO_LIMITS,
    timing: { setupMs: 90, codexMs: 18000, verifyMs: 13120, totalMs: 32400 },
    ...overrides,
  });
}
