// out/micro-<id>.json: the micro spec's micro.json with real figures only. What codex-relay does
// not measure (functions touched, complexity, coverage, security scans) is null or left out and
// named in `not_measured`, never estimated. Pure.
import type { CommandRun, PatchRunReport } from "../protocol/patch-run.js";
import { SIZE_CODES, sizeAdvice } from "./plan-command.js";

/** A quality gate as run: the command run (null: not run) and the counts parsed from its output, if any. */
export interface MicroGate {
  readonly name: string;
  readonly run: CommandRun | null;
  readonly summary: {
    readonly status: string;
    readonly total: number | null;
    readonly passed: number | null;
    readonly failed: number | null;
  } | null;
}

/** `micro-<id>.json`. */
export function microReportName(id: string): string {
  return `micro-${id}.json`;
}

export const MICRO_NOT_MEASURED = [
  "changes.files_modified[].functions_modified",
  "changes.files_modified[].change_type",
  "changes.complexity_delta",
  "quality_gates.*.coverage_delta",
  "security_scan",
  "code_analysis",
  "recommendations.deployment_risk",
] as const;

export function buildMicroJson(report: PatchRunReport, gates: readonly MicroGate[]): Record<string, unknown> {
  const files = report.diff?.files ?? null;
  const gateStatus = (gate: MicroGate) => gate.summary?.status ?? gate.run?.status ?? "not_run";
  const allGatesPassed = gates.length === 0 ? null : gates.every((g) => gateStatus(g) === "pass");
  const sizeViolations = report.violations.filter((v) => SIZE_CODES.includes(v.code));
  const baselined = report.verification.filter((v) => v.baseline !== null && v.after !== null);
  return {
    timestamp: report.startedAt.toISOString(),
    session_id: `codex-micro-${report.id}`,
    sandbox_branch: report.branch,
    change_description: report.description,
    commit: report.commit,
    execution: {
      status: executionStatus(report),
      duration_seconds: Math.round(report.timing.totalMs / 100) / 10,
      codex_version: report.codexVersion,
      sandbox_mode: true,
      constraints_applied: { max_loc: report.limits.maxTotalLines, max_files: report.limits.maxFiles },
      attempts: report.attempts,
    },
    changes: {
      files_modified: (files ?? []).map((f) => ({
        file: f.path,
        lines_added: f.added,
        lines_removed: f.removed,
        functions_modified: null,
        change_type: null,
      })),
      total_loc_delta: files ? files.reduce((sum, f) => sum + f.added - f.removed, 0) : null,
      total_lines_changed: report.diff?.totalLines ?? null,
      total_files: files ? files.length : null,
      complexity_delta: null,
      within_budget: files ? sizeViolations.length === 0 : null,
    },
    quality_gates: Object.fromEntries(
      gates.map((gate) => [
        gate.name,
        {
          status: gateStatus(gate),
          total: gate.summary?.total ?? null,
          passed: gate.summary?.passed ?? null,
          failed: gate.summary?.failed ?? null,
          execution_time: gate.run ? `${(gate.run.durationMs / 1000).toFixed(1)}s` : null,
          exit_code: gate.run?.exitCode ?? null,
          coverage_delta: null,
        },
      ]),
    ),
    verification: {
      all_gates_passed: allGatesPassed,
      // Only knowable where a command ran on the base and after the change.
      breaking_changes: report.verification.some((v) => v.verdict === "broken") ? true : baselined.length > 0 ? false : null,
      // A failed run is already rolled back (nothing reached a branch): nothing left to undo.
      rollback_available: report.status === "passed" ? report.commit !== null : null,
      rolled_back: report.status === "failed",
      merge_ready: report.status === "passed" && report.commit !== null && report.overlap.length === 0 && !report.merge?.merged,
      merged: report.merge?.merged ?? false,
    },
    recommendations: {
      merge_confidence: mergeConfidence(report, gates, allGatesPassed),
      escalate_to: sizeViolations.length > 0 ? "codex-patch-rw" : report.violations.length > 0 ? "human-review" : null,
      reason: reason(report, gates, allGatesPassed),
      follow_up_actions: followUp(report),
    },
    not_measured: [...MICRO_NOT_MEASURED],
  };
}

function executionStatus(report: PatchRunReport): "success" | "failed" | "partial" {
  if (report.status !== "passed") return "failed";
  return report.verification.some((v) => v.verdict === "pre_existing") ? "partial" : "success";
}

function mergeConfidence(report: PatchRunReport, gates: readonly MicroGate[], allGatesPassed: boolean | null): "high" | "medium" | "low" {
  if (report.status !== "passed" || allGatesPassed !== true || report.overlap.length > 0) return "low";
  const counted = gates.some((g) => (g.summary?.total ?? 0) > 0);
  return counted ? "high" : "medium";
}

function reason(report: PatchRunReport, gates: readonly MicroGate[], allGatesPassed: boolean | null): string {
  if (report.missing.length > 0) return report.missing.map((m) => m.message).join(" ");
  if (report.violations.length > 0) return report.violations.map((v) => v.message).join(" ");
  const failing = gates.filter((g) => (g.summary?.status ?? g.run?.status) !== "pass").map((g) => g.name);
  if (report.status !== "passed") {
    return report.failure?.message ?? (failing.length > 0 ? `gates failing: ${failing.join(", ")}` : "the micro edit failed");
  }
  if (report.overlap.length > 0) return `you changed ${report.overlap.join(", ")} while Codex worked: review before merging`;
  if (gates.length === 0) return "no quality gate was run";
  if (allGatesPassed) return `all ${gates.length} quality gates passed`;
  const preExisting = report.verification.filter((v) => v.verdict === "pre_existing").map((v) => v.command);
  return preExisting.length > 0
    ? `committed; failing on the base commit too: ${preExisting.join(", ")}`
    : `committed; gates not passing: ${failing.join(", ")}`;
}

function followUp(report: PatchRunReport): string[] {
  const { base, branch, commit, failedRef, patchFile } = report;
  if (report.status === "passed") {
    const actions: string[] = [];
    if (report.overlap.length > 0) actions.push(`reconcile your changes to ${report.overlap.join(", ")} with the patch`);
    if (base && branch) actions.push(`review: git diff ${base} ${branch}`);
    if (branch && !report.merge?.merged) actions.push(`merge: git merge --no-ff ${branch}`);
    if (branch && commit) actions.push(`discard: git branch -D ${branch}`);
    for (const v of report.verification.filter((x) => x.verdict === "pre_existing")) actions.push(`fix separately (fails on the base commit too): ${v.command}`);
    return actions;
  }
  const actions = report.missing.map((m) => m.fix);
  const advice = sizeAdvice(report);
  if (advice !== null) actions.push(advice);
  if (failedRef && base) actions.push(`inspect the failed attempt: git diff ${base} ${failedRef}`);
  if (patchFile) actions.push(`take it anyway: git apply ${patchFile}`);
  if (failedRef) actions.push(`drop it: git update-ref -d ${failedRef}`);
  return actions;
}
