// out/codex-patch-*.md (PROTOCOL.md §5, the patch spec's layout): one template for passed,
// failed and aborted runs. Pure: every figure comes from the PatchRunReport, nothing is estimated.
import { ROUTE_DECISION_FILE } from "../protocol/layout.js";
import type { CommandRun, LimitCode, PatchRunReport, VerificationCheck } from "../protocol/patch-run.js";
import { sizeAdvice } from "./plan-command.js";
import { renderTemplate } from "./templates.js";
import { fenced, fileStamp, inlineCode, millis } from "./report-text.js";

/** `codex-patch-YYYYMMDD-HHMMSS.md`, or `codex-patch-FAILED-…md` when not passed (UTC start time). */
export function patchReportName(report: PatchRunReport): string {
  return `codex-patch-${report.status === "passed" ? "" : "FAILED-"}${fileStamp(report.startedAt)}.md`;
}

export function renderPatchReport(report: PatchRunReport, template: string): string {
  return renderTemplate(template, patchReportView(report));
}

function patchReportView(report: PatchRunReport) {
  const passed = report.status === "passed";
  const micro = report.kind === "micro";
  const verification = report.verification.map(checkView);
  return {
    heading: micro ? "Micro Edit Report" : "Patch Report",
    title: report.title,
    failed: !passed,
    status_line: {
      passed: "PASSED: verified and committed on the sandbox branch",
      failed: "FAILED: rolled back, nothing reached a branch",
      aborted: "ABORTED: the patch did not run, nothing was changed",
    }[report.status],
    timestamp: report.startedAt.toISOString(),
    executor: micro ? "Codex (Micro Edit Mode, sandbox worktree)" : "Codex (Read-Write Mode, sandbox worktree)",
    diagnosis: report.diagnosisPath && inlineCode(report.diagnosisPath),
    diagnosis_sha256: report.diagnosisSha256,
    route_decision: report.routeDecisionPath ?? ROUTE_DECISION_FILE,
    route_decision_sha256: report.routeDecisionSha256,
    task_packet: report.taskPacketPath && inlineCode(report.taskPacketPath),
    change: micro ? report.description : null,
    id: report.id,
    base: report.base,
    branch: report.branch,
    has_overlap: report.overlap.length > 0,
    overlap: report.overlap.map(inlineCode),
    has_missing: report.missing.length > 0,
    missing: report.missing.map((m) => ({ what: m.what, path: inlineCode(m.path), message: m.message, fix: m.fix })),
    failure: report.failure,
    changes: changesView(report),
    limits: limitsView(report),
    commit:
      passed && report.commit
        ? { branch: report.branch, sha: report.commit, message: report.commitMessage === null ? null : fenced(report.commitMessage) }
        : null,
    rollback_performed: report.status === "failed" ? rollbackPerformedView(report) : null,
    has_verification: verification.length > 0,
    no_verification: verification.length === 0 && report.status !== "aborted",
    verification,
    merge: report.merge && { merged: report.merge.merged, merge_commit: report.merge.commit, reason: report.merge.reason },
    rollback:
      passed && report.branch && report.commit
        ? {
            branch: report.branch,
            commit: report.commit,
            merge_command: report.merge?.merged ? null : `git merge --no-ff ${report.branch}`,
          }
        : null,
    next_steps: nextSteps(report),
    attempts: report.attempts,
    codex_line: [
      `version ${report.codexVersion ?? "unknown"}`,
      report.model && `model ${report.model}`,
      report.threadId && `thread ${report.threadId}`,
    ]
      .filter(Boolean)
      .join(", "),
    timing: {
      setup: millis(report.timing.setupMs),
      codex: millis(report.timing.codexMs),
      verify: millis(report.timing.verifyMs),
      total: millis(report.timing.totalMs),
    },
  };
}

function changesView(report: PatchRunReport) {
  if (report.diff === null && report.status === "aborted") return null;
  const rationales = new Map(report.fileRationales.map((f) => [f.path, f.rationale]));
  const files = (report.diff?.files ?? []).map((file) => ({
    path: inlineCode(file.path),
    lines: file.added + file.removed,
    added: file.added,
    removed: file.removed,
    note:
      [
        file.status === "renamed" && file.oldPath ? `renamed from ${inlineCode(file.oldPath)}` : file.status !== "modified" ? file.status : null,
        file.binary ? "binary file" : null,
        file.dependencyChange ? "changes dependencies" : null,
      ]
        .filter(Boolean)
        .join(", ") || null,
    diff: file.diff.trim() === "" ? null : fenced(file.diff.replace(/\n$/, "")),
    rationale: rationales.get(file.path) ?? "none given by Codex",
  }));
  return {
    changes_heading: report.status === "passed" ? "CHANGES APPLIED" : "CHANGES ATTEMPTED",
    rationale: report.rationale.trim() || null,
    files,
  };
}

function limitsView(report: PatchRunReport) {
  const { diff, limits, violations } = report;
  if (diff === null && violations.length === 0) return null;
  const violated = (code: LimitCode) => violations.filter((v) => v.code === code);
  const mark = (code: LimitCode, within: boolean | null) =>
    violated(code).length > 0 || within === false ? "❌" : within === null ? "—" : "✅";
  const files = diff?.files ?? null;
  const largest = files && files.length > 0 ? files.reduce((a, b) => (b.added + b.removed > a.added + a.removed ? b : a)) : null;
  const largestLines = largest ? largest.added + largest.removed : files ? 0 : null;
  const dependencyFiles = files?.filter((f) => f.dependencyChange) ?? null;
  const unapproved = violated("unapproved_file");
  const protectedHits = violated("protected_path");
  const notMeasured = "not measured";
  const rows = [
    { name: "Files changed", value: files?.length ?? notMeasured, limit: `≤ ${limits.maxFiles}`, mark: mark("too_many_files", files && files.length <= limits.maxFiles) },
    {
      name: "Lines changed, largest file",
      value: largestLines === null ? notMeasured : `${largestLines}${largest ? ` (${inlineCode(largest.path)})` : ""}`,
      limit: `≤ ${limits.maxLinesPerFile} per file`,
      mark: mark("file_too_large", largestLines === null ? null : largestLines <= limits.maxLinesPerFile),
    },
    { name: "Lines changed, total", value: diff?.totalLines ?? notMeasured, limit: `≤ ${limits.maxTotalLines}`, mark: mark("too_many_lines", diff ? diff.totalLines <= limits.maxTotalLines : null) },
    {
      name: "Approved files only",
      value: diff ? (unapproved.length === 0 ? "yes" : `no: ${unapproved.map((v) => inlineCode(v.file ?? "?")).join(", ")}`) : notMeasured,
      limit: limits.approvedFiles === null ? "any file" : `${limits.approvedFiles.length} approved: ${limits.approvedFiles.map(inlineCode).join(", ")}`,
      mark: mark("unapproved_file", diff ? true : null),
    },
    {
      name: "Dependency changes",
      value: dependencyFiles === null ? notMeasured : dependencyFiles.length === 0 ? "none" : dependencyFiles.map((f) => inlineCode(f.path)).join(", "),
      limit: limits.allowDependencyChanges ? "allowed" : "none allowed",
      mark: mark("dependency_change", dependencyFiles === null ? null : limits.allowDependencyChanges || dependencyFiles.length === 0),
    },
    {
      name: "Protected paths",
      value: diff ? (protectedHits.length === 0 ? "untouched" : protectedHits.map((v) => inlineCode(v.file ?? "?")).join(", ")) : notMeasured,
      limit: "never changed",
      mark: mark("protected_path", diff ? true : null),
    },
  ];
  const messages = violations.map((v) => v.message);
  return { rows, has_violations: messages.length > 0, violations: messages };
}

function rollbackPerformedView(report: PatchRunReport) {
  const ref = report.failedRef;
  const patchFile = report.patchFile;
  return {
    kept: ref !== null || patchFile !== null,
    ref,
    patch_file: patchFile,
    inspect: ref ? (report.base ? `git diff ${report.base} ${ref}` : `git show ${ref}`) : null,
    apply: patchFile ? `git apply ${patchFile}` : null,
    drop: ref ? `git update-ref -d ${ref}` : null,
  };
}

function runStatus(run: CommandRun): string {
  return { pass: "✅ PASS", fail: "❌ FAIL", timeout: "⏱ TIMEOUT", error: "❌ ERROR (could not run)" }[run.status];
}

function checkView(check: VerificationCheck, index: number) {
  const after = check.after;
  let status = after ? runStatus(after) : "— NOT RUN";
  if (check.verdict === "pre_existing" && after && after.status !== "pass") {
    status = `⚠️ ${status.replace(/^\S+ /, "")} (pre-existing: failed on the base commit too)`;
  }
  const baseline = check.baseline;
  const output = after?.outputTail.replace(/\n+$/, "") ?? "";
  return {
    n: index + 1,
    command_code: inlineCode(check.command),
    shell: fenced(check.command),
    status,
    exit: after?.exitCode == null ? null : String(after.exitCode),
    duration: after ? `${Math.round(after.durationMs)} ms` : null,
    baseline: baseline
      ? `${runStatus(baseline)}${baseline.exitCode === null ? "" : ` · exit ${baseline.exitCode}`} on the base commit`
      : "not run",
    output: output === "" ? null : fenced(output),
  };
}

function nextSteps(report: PatchRunReport): { done: string; text: string }[] {
  const todo = (text: string) => ({ done: " ", text });
  const steps: { done: string; text: string }[] = [];
  const { base, branch, failedRef } = report;
  const preExisting = report.verification.filter((v) => v.verdict === "pre_existing");
  if (report.status === "passed") {
    if (report.overlap.length > 0) {
      steps.push(todo(`Reconcile your own changes to ${report.overlap.map(inlineCode).join(", ")} with the patch before merging; do not merge blindly`));
    }
    if (base && branch) steps.push(todo(`Review the diff: \`git diff ${base} ${branch}\``));
    if (report.merge?.merged) steps.push({ done: "x", text: `Merged into your branch${report.merge.commit ? ` as \`${report.merge.commit}\`` : ""}` });
    else if (branch) steps.push(todo(`Merge it: \`git merge --no-ff ${branch}\``));
    steps.push(todo("Run the QA gate (qa-gate) on the merged result"));
    for (const check of preExisting) steps.push(todo(`Fix ${inlineCode(check.command)} separately: it already failed on the base commit`));
    return steps;
  }
  if (report.status === "aborted") {
    for (const missing of report.missing) steps.push(todo(missing.fix));
    if (report.missing.length === 0 && report.failure) steps.push(todo(report.failure.hint));
    steps.push(todo(report.kind === "micro" ? "Re-run the micro edit (`codex-relay micro`)" : "Re-run the patch (`codex-relay patch`)"));
    return steps;
  }
  const codes = new Set(report.violations.map((v) => v.code));
  const advice = sizeAdvice(report);
  if (advice !== null) steps.push(todo(advice));
  for (const v of report.violations.filter((x) => x.code === "unapproved_file")) {
    steps.push(todo(`If ${inlineCode(v.file ?? "?")} must change, add it to \`## Approved Files\` in ${ROUTE_DECISION_FILE}; otherwise re-diagnose`));
  }
  if (codes.has("dependency_change")) steps.push(todo("Dependency changes need a person: make them yourself, then re-run"));
  if (codes.has("protected_path")) steps.push(todo("The change touched a protected path; re-diagnose so the fix stays out of it"));
  if (codes.has("no_changes")) steps.push(todo("Codex changed nothing: make the diagnosis and task more specific, then re-run"));
  const broken = report.verification.some((v) => v.verdict === "broken");
  if (broken) steps.push(todo("Re-diagnose with the failing output above (`codex-relay diagnose`), then patch again"));
  if (!broken && codes.size === 0 && report.failure) steps.push(todo(report.failure.hint));
  if (failedRef && base) steps.push(todo(`Inspect the failed attempt: \`git diff ${base} ${failedRef}\``));
  return steps;
}
