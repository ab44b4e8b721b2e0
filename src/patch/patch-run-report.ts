// The report stage: everything the patch report, the ledger line and micro.json show, assembled
// from the run's state once the sandbox is back. Pure.
import type { PatchRunReport } from "../protocol/patch-run.js";
import type { Delivery } from "./deliver-patch.js";
import type { PatchState } from "./patch-state.js";

export function patchRunReport(state: PatchState, delivery: Delivery, finishedAt: Date, totalMs: number): PatchRunReport {
  const { run, plan, reply, failure } = state;
  return {
    kind: plan.mode,
    id: run.id,
    status: state.status === "completed" ? "passed" : "failed",
    title: plan.title,
    description: plan.description,
    startedAt: state.startedAt,
    finishedAt,
    diagnosisPath: plan.diagnosis?.path ?? null,
    taskPacketPath: plan.taskPacketPath,
    diagnosisSha256: plan.diagnosis?.sha256 ?? null,
    routeDecisionSha256: plan.routeDecisionSha256,
    ...(plan.planStep ? { routeDecisionPath: plan.planStep.routeDecision } : {}),
    base: state.base,
    branch: state.keepBranch ? plan.branch : null,
    commit: state.commit,
    commitMessage: state.commitMessage,
    failedRef: state.failedRef,
    patchFile: null,
    diff: state.diff,
    rationale: reply?.rationale ?? "",
    fileRationales: reply?.files ?? [],
    violations: state.violations,
    verification: state.checks,
    attempts: state.attempts,
    threadId: run.codex.thread_id,
    codexVersion: run.codex.version,
    model: run.codex.model,
    failure: failure && { code: failure.code, message: failure.message, hint: failure.hint },
    missing: [],
    merge: delivery.merge,
    overlap: delivery.overlap,
    limits: plan.limits,
    timing: { setupMs: state.sandbox.setup?.durationMs ?? null, codexMs: Math.round(state.codexMs), verifyMs: Math.round(state.verifyMs), totalMs: Math.round(totalMs) },
  };
}
