import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { PatchRunReport } from "../../src/protocol/patch-run.js";
import { appendFailurePattern, appendLedger, approvalLedgerLine, classifyChange, failurePattern, ledgerLine } from "../../src/report/ledger.js";
import { abortedPatch, COMMIT, failedPatch, fileChange, MICRO_LIMITS, passedMicro, passedPatch } from "../helpers/patch-run-fixtures.js";
import { testdir } from "../helpers/testdir.js";

const tempDir = () => testdir({}, { prefix: "relay-ledger-" });


/** A micro edit stopped by its limits before verification ran. */
function microOverLimits(): PatchRunReport {
  return passedMicro({
    status: "failed",
    description: "Add retry support to the HTTP client",
    commit: null,
    commitMessage: null,
    diff: { files: [fileChange("src/http/client.ts", 20), fileChange("src/http/retry.ts", 12), fileChange("config/defaults.json", 3)], totalLines: 35, patch: "" },
    violations: [
      { code: "too_many_files", file: null, limit: 2, actual: 3, message: "The change touches 3 files; at most 2." },
      { code: "too_many_lines", file: null, limit: 25, actual: 35, message: "The change has 35 changed lines; at most 25." },
    ],
    verification: [{ command: "npm test", baseline: null, after: null, verdict: "not_run" }],
    failure: { code: "patch_limits", message: "The change broke 2 micro limits.", hint: "split it" },
    limits: MICRO_LIMITS,
  });
}

describe("ledgerLine", () => {
  it("has exactly the spec's fields plus id, status and what audit counts for a passed patch", () => {
    expect(ledgerLine(passedPatch(), "out/codex-patch-20260105-111000.md")).toEqual({
      skill: "codex-patch-rw",
      timestamp: "2026-01-05T11:10:00.250Z",
      input: "out/codex-diagnosis-20260105-105500.md",
      output: "out/codex-patch-20260105-111000.md",
      files_modified: ["src/auth/redis-pool.ts", "tests/auth/redis-pool.test.ts"],
      lines_changed: 6,
      verification_passed: true,
      commit: COMMIT,
      next_skill: "qa-gate",
      id: "20260105_110000",
      status: "passed",
      branch: "codex/patch-20260105_110000",
      failed_ref: null,
      attempts: 1,
      limits_hit: [],
      overlap: [],
      diagnosis_sha256: null,
      route_decision_sha256: null,
      approved_by: "claude-chair",
    });
  });

  it("names by sha256 the diagnosis used and the route decision that approved it; a micro edit has neither", () => {
    const approval = { diagnosisSha256: "a".repeat(64), routeDecisionSha256: "b".repeat(64) };
    expect(ledgerLine(passedPatch(approval), "out/codex-patch-20260105-111000.md")).toMatchObject({ diagnosis_sha256: "a".repeat(64), route_decision_sha256: "b".repeat(64) });
    expect(ledgerLine(microOverLimits(), "out/micro-20260105_140000.json")).not.toHaveProperty("diagnosis_sha256");
  });

  it("an approval line names who or what granted it, and for a policy what it approved", () => {
    const at = new Date("2026-01-05T11:00:00Z");
    const line = approvalLedgerLine({ id: "20260105_110000", at, level: "delegate", via: "delegate policy", approvedBy: "codex-relay (delegate policy)", input: "out/codex-diagnosis-20260105-110000.md", output: "progress/ROUTE_DECISION.md", filesApproved: ["src/a.ts"] });
    expect(line).toEqual({
      skill: "approval",
      timestamp: at.toISOString(),
      input: "out/codex-diagnosis-20260105-110000.md",
      output: "progress/ROUTE_DECISION.md",
      id: "20260105_110000",
      level: "delegate",
      via: "delegate policy",
      approved_by: "codex-relay (delegate policy)",
      files_approved: ["src/a.ts"],
    });
  });

  it("sends a patch that broke verification back to diagnosis, with no commit", () => {
    expect(ledgerLine(failedPatch(), "out/codex-patch-FAILED-20260105-120007.md")).toMatchObject({
      output: "out/codex-patch-FAILED-20260105-120007.md",
      files_modified: ["src/auth/redis-pool.ts"],
      lines_changed: 2,
      verification_passed: false,
      commit: null,
      next_skill: "codex-diagnose-ro",
      status: "failed",
      failed_ref: "refs/codex-relay/failed/20260105_110000",
      attempts: 2,
    });
  });

  it("sends limit violations and aborted runs to a human, and records them as not verified", () => {
    expect(ledgerLine(microOverLimits(), "out/micro-20260105_140000.json")).toMatchObject({
      skill: "codex-micro",
      input: "Add retry support to the HTTP client",
      lines_changed: 35,
      verification_passed: false,
      next_skill: "human-review",
      limits_hit: microOverLimits().violations.map((v) => v.code),
    });
    expect(ledgerLine(abortedPatch(), "out/codex-patch-FAILED-20260105-130000.md")).toMatchObject({
      files_modified: [],
      lines_changed: null,
      verification_passed: false,
      commit: null,
      next_skill: "human-review",
      status: "aborted",
    });
  });
});

describe("appendLedger", () => {
  it("creates the folder and appends one JSON line per call", async () => {
    const file = path.join(await tempDir(), "progress", "ledger.jsonl");
    await appendLedger(file, ledgerLine(passedPatch(), "out/a.md"));
    await appendLedger(file, ledgerLine(failedPatch(), "out/b.md"));
    const lines = (await readFile(file, "utf8")).split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
    expect(lines.slice(0, 2).map((line) => JSON.parse(line).output)).toEqual(["out/a.md", "out/b.md"]);
  });

  it("keeps 20 concurrent appends whole: 20 lines, each parsing to what its writer wrote", async () => {
    const file = path.join(await tempDir(), "ledger.jsonl");
    // Lines far larger than a pipe buffer, so a writer that split its line would interleave.
    const payload = (n: number) => ({ writer: n, filler: String.fromCharCode(97 + n).repeat(200_000) });
    await Promise.all(Array.from({ length: 20 }, (_, n) => appendLedger(file, payload(n))));
    const lines = (await readFile(file, "utf8")).split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(20);
    const parsed = lines.map((line) => JSON.parse(line) as { writer: number; filler: string });
    expect(parsed.map((p) => p.writer).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    for (const p of parsed) expect(p).toEqual(payload(p.writer));
  });

  it("is the writer of the failure patterns too", () => {
    expect(appendFailurePattern).toBe(appendLedger);
  });
});

describe("failurePattern", () => {
  it("records a micro edit over its limits with lessons taken from the violations", () => {
    const pattern = failurePattern(microOverLimits(), { projectType: "node", testFramework: "vitest" });
    expect(pattern).toEqual({
      timestamp: "2026-01-05T14:00:00.000Z",
      id: "20260105_140000",
      skill: "codex-micro",
      change_type: "feature",
      failure_category: "limits:too_many_files",
      context: { file_types: [".json", ".ts"], project_type: "node", test_framework: "vitest" },
      lessons: [
        "change touched 3 files; a micro edit allows 2: split it",
        "change touched 35 lines; a micro edit allows 25 in total: split it",
      ],
    });
  });

  it("records a broken verification with the command, and the repair that did not help", () => {
    const pattern = failurePattern(failedPatch());
    expect(pattern.failure_category).toBe("verification");
    expect(pattern.change_type).toBe("fix");
    expect(pattern.context).toEqual({ file_types: [".ts"], project_type: null, test_framework: null });
    expect(pattern.lessons).toEqual([
      "`npm test` passed on the base commit and fails (exit 1) after the change",
      "2 Codex runs (1 with the failure fed back) did not fix it: re-diagnose",
    ]);
  });

  it("records missing prerequisites and Codex errors by their category", () => {
    const aborted = failurePattern(abortedPatch());
    expect(aborted.failure_category).toBe("prerequisites");
    expect(aborted.lessons).toEqual(["missing prerequisite route_decision (progress/ROUTE_DECISION.md): progress/ROUTE_DECISION.md does not exist."]);
    const crashed = failurePattern(
      failedPatch({
        diff: null,
        verification: [],
        failure: { code: "codex_crashed", message: "Codex exited with code 1 before finishing its turn.", hint: "retry" },
      }),
    );
    expect(crashed.failure_category).toBe("codex:codex_crashed");
    expect(crashed.lessons).toEqual(["codex_crashed: Codex exited with code 1 before finishing its turn."]);
    expect(crashed.context).toMatchObject({ file_types: [] });
  });
});

describe("classifyChange", () => {
  it.each([
    ["Add null check to user email validation", "fix"],
    ["Fix typo in README", "docs"],
    ["Add a test for the retry path", "test"],
    ["Rename getUser to fetchUser", "refactor"],
    ["Fix the login crash on empty passwords", "fix"],
    ["Raise the default timeout setting", "config"],
    ["Add CSV export", "feature"],
    ["Bump the pool size", "other"],
  ])("%s → %s", (description, type) => {
    expect(classifyChange(description)).toBe(type);
  });
});
