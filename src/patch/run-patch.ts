// The patch and micro kinds: plan, run the pipeline, then write what the Builder reads — the
// report under out/ (micro: out/micro-<id>.json), the failed attempt as a .patch file, one line in
// progress/ledger.jsonl (and out/failure-patterns.jsonl for a failed micro edit) — and the RESULT.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { KindOutcome, KindRun } from "../context/kind-run.js";
import type { RelayContext } from "../context/relay-context.js";
import { Requeue, requeueOf } from "../codex/requeue.js";
import { RelayError, toRelayError } from "../errors.js";
import { appendFailurePattern, appendLedger, failurePattern, ledgerLine } from "../report/ledger.js";
import { buildMicroJson, microReportName } from "../report/micro-report.js";
import { patchReportName, renderPatchReport } from "../report/patch-report.js";
import { loadTemplate } from "../report/templates.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { oneLine } from "../util/one-line.js";
import { executePatch } from "./execute-patch.js";
import { reserveOutFile } from "./out-file.js";
import { planMicro, planPatch, type PlanResult } from "./patch-plan.js";
import { summarizeGate } from "./quality-gates.js";
import type { PatchRunReport } from "../protocol/patch-run.js";
import { TASK_PACKET_FILE } from "../protocol/layout.js";
import { posixRelative } from "../util/posix-relative.js";

const SUMMARY_CHARS = 300;

export async function runPatch(run: KindRun): Promise<KindOutcome> {
  return runPlanned(run, await planPatch(run));
}

export async function runMicro(run: KindRun): Promise<KindOutcome> {
  if (!run.request.issue.trim()) {
    throw new RelayError("invalid_request", "a micro edit needs a change description (the request's issue)", {
      hint: 'Run `codex-relay micro "<change description>"`, or give the request an `## Issue`.',
    });
  }
  return runPlanned(run, planMicro(run));
}

/** One planned patch or micro edit, from its plan to its RESULT fields: reports, ledger line, and the commit or the kept attempt. */
export async function runPlanned(run: KindRun, planned: PlanResult): Promise<KindOutcome> {
  const { ctx, id } = run;
  if (!planned.ok) {
    // An approval of a diagnosis that changed since is refused as such, not as something missing.
    const code = planned.missing.some((m) => m.what === "stale_approval") ? "stale_approval" : "patch_prerequisites";
    const failure = { code, message: planned.missing.map((m) => m.message).join("; "), hint: planned.missing.map((m) => m.fix).join(" ") };
    const report = abortedReport(id, "patch", planned.title, planned.limits, failure, planned.missing, ctx.now());
    const written = await writeReports(ctx, report, null);
    const error = new RelayError(code, `patch aborted: ${planned.missing.map((m) => m.message).join("; ")}`, code === "stale_approval" ? { hint: failure.hint } : {});
    return { kind: "finish", status: "rejected", error, summary: `patch aborted, see ${written.relative}: ${planned.missing.map((m) => m.what).join(", ")} missing`, auditFiles: written.files };
  }
  const plan = planned.plan;
  let done;
  try {
    done = await executePatch(run, plan);
  } catch (thrown) {
    // A shutdown ends the run for a re-run, whatever the sandbox wait threw when it was stopped.
    const requeue = thrown instanceof Requeue ? thrown : requeueOf(run.signal);
    if (requeue) throw requeue;
    // Failed before anything was patched (no git, no Codex, no login, no sandbox): still a report
    // and a ledger line, so the Builder's trail of patch runs has no gaps.
    const error = toRelayError(thrown);
    const report = { ...abortedReport(id, plan.mode, plan.title, plan.limits, { code: error.code, message: error.message, hint: error.hint }, [], ctx.now()), description: plan.description, diagnosisPath: plan.diagnosis?.path ?? null, taskPacketPath: plan.taskPacketPath, diagnosisSha256: plan.diagnosis?.sha256 ?? null, routeDecisionSha256: plan.routeDecisionSha256 };
    const written = await writeReports(ctx, report, plan.mode === "micro" ? [] : null);
    const status = error.code === "cancelled" ? "cancelled" : "failed";
    return { kind: "finish", status, error, summary: oneLine(`${plan.mode} not started (${error.code}): ${error.message}; report ${written.relative}`, SUMMARY_CHARS), auditFiles: written.files };
  }
  const gates = done.commands.map((c, i) => {
    const after = done.report.verification[i]?.after ?? null;
    return { name: c.name, run: after, summary: after ? summarizeGate(after) : null };
  });
  const written = await writeReports(ctx, done.report, plan.mode === "micro" ? gates : null);
  const { report } = done;
  const summary =
    report.status === "passed"
      ? `${plan.mode} committed on ${report.branch} (${report.commit?.slice(0, 12)}), ${report.diff?.files.length ?? 0} file(s), ${report.diff?.totalLines ?? 0} line(s); report ${written.relative}`
      : `${plan.mode} failed (${report.failure?.code ?? "unknown"}): ${report.failure?.message ?? ""}; report ${written.relative}`;
  return {
    kind: "finish",
    status: done.status,
    error: done.error,
    patch: report.diff?.patch || null,
    summary: oneLine(summary, SUMMARY_CHARS),
    startedAt: done.codexStartedAt,
    usage: done.usage,
    auditFiles: written.files,
  };
}

type Gates = Parameters<typeof buildMicroJson>[1];

/** Report (+ .patch of a failed attempt), ledger line, and for micro its json and failure pattern. */
async function writeReports(ctx: RelayContext, report: PatchRunReport, gates: Gates | null): Promise<{ relative: string; files: string[] }> {
  const { layout } = ctx;
  await mkdir(layout.out, { recursive: true });
  const rel = (file: string) => posixRelative(layout.workspace, file);
  const files: string[] = [];
  let withPatch = report;
  let main: string;
  if (report.kind === "micro" && gates) {
    main = path.join(layout.out, microReportName(report.id));
  } else {
    main = await reserveOutFile(layout.out, report.startedAt, (time) => patchReportName({ ...report, startedAt: time }));
  }
  if (report.failedRef && report.diff) {
    const patchFile = main.replace(/\.(md|json)$/, ".patch");
    await writeFileAtomic(patchFile, ctx.redactor.redact(report.diff.patch), layout.tmp);
    withPatch = { ...report, patchFile: rel(patchFile) };
    files.push(patchFile);
  }
  const content =
    report.kind === "micro" && gates
      ? `${JSON.stringify(buildMicroJson(withPatch, gates), null, 2)}\n`
      : renderPatchReport(withPatch, await loadTemplate("patch-report.md", layout.templates));
  await writeFileAtomic(main, ctx.redactor.redact(content), layout.tmp);
  files.unshift(main);
  const ledger = layout.ledger;
  await appendLedger(ledger, ctx.redactor.redactDeep(ledgerLine(withPatch, rel(main))));
  files.push(ledger);
  if (report.kind === "micro" && report.status !== "passed") {
    const patterns = layout.failurePatterns;
    await appendFailurePattern(patterns, ctx.redactor.redactDeep(failurePattern(withPatch)));
    files.push(patterns);
  }
  ctx.logger.log("info", "patch report written", { id: report.id, file: rel(main) });
  return { relative: rel(main), files };
}

/** The report of a run that never patched: prerequisites missing, or a failure before the sandbox. */
function abortedReport(
  id: string,
  kind: PatchRunReport["kind"],
  title: string,
  limits: PatchRunReport["limits"],
  failure: NonNullable<PatchRunReport["failure"]>,
  missing: PatchRunReport["missing"],
  now: Date,
): PatchRunReport {
  return {
    kind, id, status: "aborted", title, description: "", startedAt: now, finishedAt: now,
    diagnosisPath: null, taskPacketPath: TASK_PACKET_FILE, diagnosisSha256: null, routeDecisionSha256: null, base: null, branch: null, commit: null, commitMessage: null,
    failedRef: null, patchFile: null, diff: null, rationale: "", fileRationales: [], violations: [], verification: [], attempts: 0,
    threadId: null, codexVersion: null, model: null,
    failure, missing, merge: null, overlap: [], limits,
    timing: { setupMs: null, codexMs: null, verifyMs: null, totalMs: 0 },
  };
}
