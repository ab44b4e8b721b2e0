import { describe, expect, it } from "vitest";
import type { PatchRunReport } from "../../src/protocol/patch-run.js";
import { buildMicroJson, microReportName, type MicroGate } from "../../src/report/micro-report.js";
import { BASE, COMMIT, fileChange, MICRO_LIMITS, passedMicro, run } from "../helpers/patch-run-fixtures.js";

const testsRun = run("npm test", "pass", "Tests 156 passed (156)", 0, 12300);
const lintRun = run("npm run lint", "pass", "", 0, 820);
const gates: MicroGate[] = [
  { name: "tests", run: testsRun, summary: { status: "pass", total: 156, passed: 156, failed: 0 } },
  { name: "lint", run: lintRun, summary: null },
];


function overLimits(): PatchRunReport {
  return passedMicro({
    status: "failed",
    commit: null,
    commitMessage: null,
    diff: { files: [fileChange("src/http/client.ts", 20), fileChange("src/http/retry.ts", 12, 1), fileChange("src/http/index.ts", 2)], totalLines: 35, patch: "" },
    violations: [
      { code: "too_many_files", file: null, limit: 2, actual: 3, message: "The change touches 3 files; at most 2." },
      { code: "too_many_lines", file: null, limit: 25, actual: 35, message: "The change has 35 changed lines; at most 25." },
    ],
    verification: [{ command: "npm test", baseline: null, after: null, verdict: "not_run" }],
    failedRef: "refs/codex-relay/failed/20260105_140000",
    patchFile: "out/micro-20260105_140000.patch",
    failure: { code: "patch_limits", message: "The change broke 2 micro limits.", hint: "split it" },
  });
}

describe("microReportName", () => {
  it("is micro-<id>.json", () => {
    expect(microReportName("20260105_140000")).toBe("micro-20260105_140000.json");
  });
});

describe("buildMicroJson", () => {
  it("follows the seed's structure with the run's real figures", () => {
    const json = buildMicroJson(passedMicro(), gates);
    expect(json).toMatchObject({
      timestamp: "2026-01-05T14:00:00.000Z",
      session_id: "codex-micro-20260105_140000",
      sandbox_branch: "codex/micro-20260105_140000",
      change_description: "Add null check to user email validation",
      commit: COMMIT,
      execution: {
        status: "success",
        duration_seconds: 32.4,
        codex_version: "0.169.0",
        sandbox_mode: true,
        constraints_applied: { max_loc: 25, max_files: 2 },
        attempts: 1,
      },
      changes: {
        files_modified: [{ file: "src/utils/validation.ts", lines_added: 3, lines_removed: 1, functions_modified: null, change_type: null }],
        total_loc_delta: 2,
        total_lines_changed: 4,
        total_files: 1,
        within_budget: true,
      },
      verification: { all_gates_passed: true, breaking_changes: false, rollback_available: true, rolled_back: false, merge_ready: true, merged: false },
      recommendations: { merge_confidence: "high", escalate_to: null, reason: "all 2 quality gates passed" },
    });
    expect((json.recommendations as { follow_up_actions: string[] }).follow_up_actions).toEqual([
      `review: git diff ${BASE} codex/micro-20260105_140000`,
      "merge: git merge --no-ff codex/micro-20260105_140000",
      "discard: git branch -D codex/micro-20260105_140000",
    ]);
  });

  it("reports gate figures as measured and null where nothing was counted", () => {
    const json = buildMicroJson(passedMicro(), gates);
    expect(json.quality_gates).toEqual({
      tests: { status: "pass", total: 156, passed: 156, failed: 0, execution_time: "12.3s", exit_code: 0, coverage_delta: null },
      lint: { status: "pass", total: null, passed: null, failed: null, execution_time: "0.8s", exit_code: 0, coverage_delta: null },
    });
  });

  it("never invents what was not measured: complexity, coverage, functions, security, code analysis", () => {
    const json = buildMicroJson(passedMicro(), gates);
    expect((json.changes as Record<string, unknown>).complexity_delta).toBeNull();
    expect(json).not.toHaveProperty("code_analysis");
    expect(json.quality_gates).not.toHaveProperty("security_scan");
    expect(json.recommendations).not.toHaveProperty("deployment_risk");
    expect(json.not_measured).toEqual(expect.arrayContaining(["changes.complexity_delta", "security_scan", "code_analysis", "quality_gates.*.coverage_delta"]));
    // Everything in the file is plain JSON (no undefined that would vanish on write).
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it("rates confidence medium when the gates passed without any test count", () => {
    const uncounted: MicroGate[] = [{ name: "tests", run: testsRun, summary: null }];
    expect(buildMicroJson(passedMicro(), uncounted).recommendations).toMatchObject({ merge_confidence: "medium" });
  });

  it("leaves gate verdicts null when no gate ran", () => {
    const json = buildMicroJson(passedMicro({ verification: [] }), []);
    expect(json.quality_gates).toEqual({});
    expect(json.verification).toMatchObject({ all_gates_passed: null, breaking_changes: null });
    expect(json.recommendations).toMatchObject({ merge_confidence: "low", reason: "no quality gate was run" });
  });

  it("marks a gate that passed on the base and fails now as a breaking change", () => {
    const failing = run("npm test", "fail", "Tests 1 failed | 155 passed (156)", 1, 12000);
    const report = passedMicro({
      status: "failed",
      commit: null,
      commitMessage: null,
      attempts: 2,
      verification: [{ command: "npm test", baseline: testsRun, after: failing, verdict: "broken" }],
      failedRef: "refs/codex-relay/failed/20260105_140000",
      patchFile: "out/micro-20260105_140000.patch",
      failure: { code: "verification_failed", message: "`npm test` fails after the change (exit 1), also after 1 repair attempt.", hint: "re-diagnose" },
    });
    const json = buildMicroJson(report, [{ name: "tests", run: failing, summary: { status: "fail", total: 156, passed: 155, failed: 1 } }]);
    expect(json.execution).toMatchObject({ status: "failed", attempts: 2 });
    expect(json.quality_gates).toMatchObject({ tests: { status: "fail", total: 156, passed: 155, failed: 1, exit_code: 1 } });
    expect(json.verification).toEqual({ all_gates_passed: false, breaking_changes: true, rollback_available: null, rolled_back: true, merge_ready: false, merged: false });
    expect(json.recommendations).toEqual({
      merge_confidence: "low",
      escalate_to: null,
      reason: "`npm test` fails after the change (exit 1), also after 1 repair attempt.",
      follow_up_actions: [
        `inspect the failed attempt: git diff ${BASE} refs/codex-relay/failed/20260105_140000`,
        "take it anyway: git apply out/micro-20260105_140000.patch",
        "drop it: git update-ref -d refs/codex-relay/failed/20260105_140000",
      ],
    });
  });

  it("is partial when it committed with a gate that already failed on the base", () => {
    const lintFail = run("npm run lint", "fail", "1 error", 1, 800);
    const report = passedMicro({
      verification: [
        { command: "npm test", baseline: testsRun, after: testsRun, verdict: "pass" },
        { command: "npm run lint", baseline: lintFail, after: lintFail, verdict: "pre_existing" },
      ],
    });
    const json = buildMicroJson(report, [gates[0]!, { name: "lint", run: lintFail, summary: null }]);
    expect(json.execution).toMatchObject({ status: "partial" });
    expect(json.verification).toMatchObject({ all_gates_passed: false, breaking_changes: false, merge_ready: true });
    expect(json.recommendations).toMatchObject({ merge_confidence: "low", reason: "committed; failing on the base commit too: npm run lint" });
  });

  it("escalates an edit over the micro limits to a planned patch, with the violations as the reason", () => {
    const json = buildMicroJson(overLimits(), []);
    expect(json.execution).toMatchObject({ status: "failed", constraints_applied: { max_loc: MICRO_LIMITS.maxTotalLines, max_files: MICRO_LIMITS.maxFiles } });
    expect(json.changes).toMatchObject({ total_loc_delta: 33, total_lines_changed: 35, total_files: 3, within_budget: false });
    expect(json.verification).toMatchObject({ all_gates_passed: null, breaking_changes: null, merge_ready: false });
    expect(json.recommendations).toMatchObject({
      merge_confidence: "low",
      escalate_to: "codex-patch-rw",
      reason: "The change touches 3 files; at most 2. The change has 35 changed lines; at most 25.",
    });
    expect((json.recommendations as { follow_up_actions: string[] }).follow_up_actions[0]).toBe(
      'The change is too big for a micro edit: plan it as small verified steps with `codex-relay plan "Add null check to user email validation"`',
    );
  });

  it("has null change figures when nothing was diffed", () => {
    const json = buildMicroJson(passedMicro({ status: "aborted", diff: null, commit: null, verification: [] }), []);
    expect(json.changes).toEqual({
      files_modified: [],
      total_loc_delta: null,
      total_lines_changed: null,
      total_files: null,
      complexity_delta: null,
      within_budget: null,
    });
  });
});
