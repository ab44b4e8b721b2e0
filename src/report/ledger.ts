// progress/ledger.jsonl (one line per patch or micro run, the patch spec's fields) and
// out/failure-patterns.jsonl (the micro spec's recordFailurePattern). Builders are pure; the one
// writer appends a whole line per write so concurrent runs never interleave.
import { mkdir, open } from "node:fs/promises";
import path from "node:path";
import { RelayError } from "../errors.js";
import type { LimitViolation, PatchRunReport } from "../protocol/patch-run.js";

/** The ledger line of a run; `outputPath` is the workspace-relative report it produced. */
export function ledgerLine(report: PatchRunReport, outputPath: string): Record<string, unknown> {
  return {
    skill: report.kind === "micro" ? "codex-micro" : "codex-patch-rw",
    timestamp: report.startedAt.toISOString(),
    input: report.kind === "micro" ? report.description : (report.diagnosisPath ?? report.taskPacketPath),
    output: outputPath,
    files_modified: report.diff?.files.map((f) => f.path) ?? [],
    lines_changed: report.diff?.totalLines ?? null,
    // Verified means committed: a run that stopped before verifying (limits, prerequisites) did not pass it.
    verification_passed: report.status === "passed",
    commit: report.commit,
    next_skill: nextSkill(report),
    id: report.id,
    status: report.status,
    // What was approved and used, by content: the diagnosis and the route decision (patch only).
    ...(report.kind === "patch" ? { diagnosis_sha256: report.diagnosisSha256, route_decision_sha256: report.routeDecisionSha256 } : {}),
  };
}


function nextSkill(report: PatchRunReport): "qa-gate" | "codex-diagnose-ro" | "human-review" {
  if (report.status === "passed") return "qa-gate";
  if (report.status === "aborted" || report.violations.length > 0) return "human-review";
  return report.verification.some((v) => v.verdict === "broken") ? "codex-diagnose-ro" : "human-review";
}

/** Append one JSON line (O_APPEND, one write), creating the folder. Used for the ledger and the failure patterns. */
export async function appendLedger(file: string, line: object): Promise<void> {
  const data = Buffer.from(`${JSON.stringify(line)}\n`, "utf8");
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, "a");
  try {
    // One write(2) on an O_APPEND descriptor lands whole at the end, whoever else is appending.
    const { bytesWritten } = await handle.write(data, 0, data.length);
    if (bytesWritten !== data.length) {
      throw new RelayError("internal_error", `short write to ${file}: ${bytesWritten} of ${data.length} bytes`);
    }
  } finally {
    await handle.close();
  }
}

/** What the failure-pattern line knows about the project; null when not detected. */
export interface ProjectContext {
  readonly projectType: string | null;
  readonly testFramework: string | null;
}

/** The failure-pattern line of a failed or aborted run (the micro spec's recordFailurePattern). */
export function failurePattern(report: PatchRunReport, context: ProjectContext = { projectType: null, testFramework: null }): Record<string, unknown> {
  const files = report.diff?.files ?? [];
  return {
    timestamp: report.startedAt.toISOString(),
    id: report.id,
    skill: report.kind === "micro" ? "codex-micro" : "codex-patch-rw",
    change_type: classifyChange(report.description),
    failure_category: failureCategory(report),
    context: {
      file_types: [...new Set(files.map((f) => path.posix.extname(f.path) || path.posix.basename(f.path)))].sort(),
      project_type: context.projectType,
      test_framework: context.testFramework,
    },
    lessons: lessons(report),
  };
}

/** The same writer as the ledger: one whole JSON line per append. */
export const appendFailurePattern = appendLedger;

// First match wins; the more specific kinds (docs, tests) come before the generic verbs.
const CHANGE_TYPES: readonly [string, RegExp][] = [
  ["docs", /\b(docs?|documentation|readme|changelog|typos?|comments?|jsdoc|docstrings?)\b/i],
  ["test", /\b(tests?|specs?|testing|coverage|assertions?)\b/i],
  ["refactor", /\b(refactor\w*|rename\w*|extract\w*|clean ?up|simplif\w*|restructur\w*|dedup\w*)\b/i],
  ["fix", /\b(fix\w*|bugs?|crash\w*|errors?|broken|fail\w*|regressions?|null|undefined|wrong|incorrect)\b/i],
  ["config", /\b(config\w*|settings?|env|environment|flags?|options?|toml|yaml|yml)\b/i],
  ["feature", /\b(add\w*|implement\w*|support\w*|new|features?|allow\w*|introduc\w*|enable\w*)\b/i],
];

/** test, docs, refactor, fix, config, feature, or other, from keywords of the description. */
export function classifyChange(description: string): string {
  return CHANGE_TYPES.find(([, pattern]) => pattern.test(description))?.[0] ?? "other";
}

function failureCategory(report: PatchRunReport): string {
  if (report.status === "passed") return "none";
  if (report.missing.length > 0) return "prerequisites";
  const first = report.violations[0];
  if (first) return `limits:${first.code}`;
  if (report.verification.some((v) => v.verdict === "broken")) return "verification";
  if (report.failure) return `codex:${report.failure.code}`;
  return "unknown";
}

function lessons(report: PatchRunReport): string[] {
  const out: string[] = [];
  const what = report.kind === "micro" ? "a micro edit" : "a patch";
  for (const m of report.missing) out.push(`missing prerequisite ${m.what} (${m.path}): ${m.message}`);
  for (const v of report.violations) out.push(violationLesson(v, what));
  for (const check of report.verification) {
    const after = check.after;
    if (check.verdict !== "broken" || !after) continue;
    const how = after.status === "timeout" ? `timed out after ${Math.round(after.durationMs)} ms` : `fails (exit ${after.exitCode ?? "none"})`;
    out.push(`\`${check.command}\` passed on the base commit and ${how} after the change`);
  }
  if (report.verification.some((v) => v.verdict === "broken") && report.attempts > 1) {
    out.push(`${report.attempts} Codex runs (${report.attempts - 1} with the failure fed back) did not fix it: re-diagnose`);
  }
  if (out.length === 0 && report.failure) out.push(`${report.failure.code}: ${report.failure.message}`);
  return out;
}

function violationLesson(v: LimitViolation, what: string): string {
  const file = v.file ? `\`${v.file}\`` : "a file";
  switch (v.code) {
    case "too_many_files":
      return `change touched ${v.actual ?? "?"} files; ${what} allows ${v.limit ?? "?"}: split it`;
    case "file_too_large":
      return `${file} changed ${v.actual ?? "?"} lines; ${what} allows ${v.limit ?? "?"} per file: split it`;
    case "too_many_lines":
      return `change touched ${v.actual ?? "?"} lines; ${what} allows ${v.limit ?? "?"} in total: split it`;
    case "unapproved_file":
      return `${file} is not an approved file: approve it in ROUTE_DECISION.md or keep the fix out of it`;
    case "dependency_change":
      return `${file} changes dependencies, which needs a person`;
    case "protected_path":
      return `${file} is a protected path and may never change`;
    case "no_changes":
      return "Codex changed no file";
  }
}
