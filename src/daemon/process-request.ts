// One request, from its file to its RESULT pair: read and parse it, hand it to its kind
// (analysis, diagnose, patch, micro, plan, plan-run), write the RESULT, commit the audit trail. Whatever goes
// wrong becomes a RESULT; only a daemon shutdown returns without one (so the request runs again).
import { endGatewayRoute } from "../codex/codex-setup.js";
import { Requeue, requeueOf } from "../codex/requeue.js";
import { spentUsage } from "../codex/usage.js";
import type { OnCodexSpawn } from "../codex/run-codex.js";
import { RelayError, toRelayError } from "../errors.js";
import type { DelegationRequest } from "../protocol/request.js";
import { writesCode } from "../protocol/request-text.js";
import type { ResultFile } from "../protocol/result.js";
import { recordInAudit } from "./record-audit.js";
import { buildResult, writeResult, type ResultInput } from "../report/result-file.js";
import type { CodexInfo, KindOutcome, KindRun } from "../context/kind-run.js";
import { readRequest } from "./read-request.js";
import { estimateCostUsd } from "../config/prices.js";
import type { RelayContext } from "../context/relay-context.js";
import { runAnalysis } from "../analysis/run-analysis.js";
import { parseApproveMarker } from "../protocol/approve-marker.js";
import type { ApprovalRecord } from "../protocol/result.js";
import { appendLedger, approvalLedgerLine } from "../report/ledger.js";
import { posixRelative } from "../util/posix-relative.js";
import { readIfExists } from "../util/read-if-exists.js";

export interface ProcessOptions {
  readonly id: string;
  readonly detectedAt: Date;
  /** Aborted with reason "cancelled", or with a `Requeue` to end without a RESULT. */
  readonly signal?: AbortSignal;
  /** Called with Codex's pid as soon as it runs (recorded in the claim), and once more when it exited. */
  readonly onSpawn?: OnCodexSpawn;
  /** Request text already read and parsed by the caller (the daemon's settle check). */
  readonly request?: DelegationRequest;
}

export type ProcessOutcome = { kind: "result"; result: ResultFile } | { kind: "requeue" };

// Kinds load lazily: an analysis daemon never loads the patch machinery.
const RUNNERS: Record<DelegationRequest["kind"], () => Promise<(run: KindRun) => Promise<KindOutcome>>> = {
  analysis: async () => runAnalysis,
  diagnose: async () => (await import("../patch/run-diagnosis.js")).runDiagnosis,
  patch: async () => (await import("../patch/run-patch.js")).runPatch,
  micro: async () => (await import("../patch/run-patch.js")).runMicro,
  plan: async () => (await import("../plan/run-plan-draft.js")).runPlanDraft,
  "plan-run": async () => (await import("../plan/run-plan.js")).runPlan,
};

export async function processRequest(ctx: RelayContext, options: ProcessOptions): Promise<ProcessOutcome> {
  const { id, detectedAt } = options;
  let kind: string = options.request?.kind ?? "analysis";
  const warnings: string[] = [];
  const codex: CodexInfo = emptyCodexInfo(kind);
  let run: KindRun | undefined;
  let approved: Awaited<ReturnType<typeof markerApproval>> = null;
  const finish = async (input: Omit<ResultInput, "id" | "kind" | "detectedAt" | "finishedAt" | "codex" | "warnings">, auditFiles: readonly string[] = []) => {
    const gateway = run ? endGatewayRoute(run) : null;
    // A replay spent nothing: its usage repeats the recording's figures, at no cost.
    const replayOf = run?.request.replayOf;
    const spent = replayOf ? input.usage : spentUsage(input.usage ?? null, gateway);
    const usage = spent && { ...spent, cost_usd: replayOf ? 0 : estimateCostUsd(spent, codex.model, ctx.config.budget.prices) };
    // Recorded with the RESULT, not before the run: a run stopped for a re-run records it once.
    if (approved) await appendLedger(ctx.layout.ledger, ctx.redactor.redactDeep(approved.ledgerLine));
    const files = approved ? [...new Set([...auditFiles, ctx.layout.approve(id), ctx.layout.ledger])] : auditFiles;
    // The kind's own approval (a patch's route decision) is the RESULT's; the marker's is in the ledger then.
    const approval = input.approval ?? approved?.approval ?? null;
    return publish(ctx, buildResult({ ...input, approval, usage, id, kind, warnings, detectedAt, codex, gateway, replayOf, finishedAt: ctx.now() }), files);
  };
  try {
    if (options.signal?.aborted) {
      if (requeueOf(options.signal)) return { kind: "requeue" };
      return await finish({ status: "cancelled", error: new RelayError("cancelled", "the request was cancelled before Codex started") });
    }
    const read = options.request ? { ok: true as const, request: options.request } : await readRequest(ctx, id);
    if (!read.ok) throw read.error;
    kind = read.request.kind;
    Object.assign(codex, emptyCodexInfo(kind));
    const runner = await RUNNERS[read.request.kind]();
    approved = await markerApproval(ctx, id);
    run = { ctx, id, request: read.request, signal: options.signal, onSpawn: options.onSpawn, codex, warnings };
    const outcome = await runner(run);
    const { kind: _finish, auditFiles, ...input } = outcome;
    return await finish(input, auditFiles);
  } catch (error) {
    if (error instanceof Requeue) {
      if (run) endGatewayRoute(run); // the re-run opens a route of its own
      return { kind: "requeue" }; // stopped for a re-run: no RESULT
    }
    const relayError = toRelayError(error);
    const status = relayError.code === "invalid_request" || relayError.code === "request_too_large" ? "rejected" : "failed";
    return finish({ status, error: relayError });
  }
}

/**
 * Under `[approval] level = "manual"` a request runs once its APPROVE marker exists: who approved
 * goes into the RESULT, the ledger and (with the marker) the audit commit.
 */
async function markerApproval(ctx: RelayContext, id: string): Promise<{ approval: ApprovalRecord; ledgerLine: Record<string, unknown> } | null> {
  const { layout, config } = ctx;
  if (config.approval.level !== "manual") return null;
  const text = await readIfExists(layout.approve(id));
  if (text === null) return null; // `codex-relay run` of a request nobody approved is refused before this
  const marker = parseApproveMarker(text);
  const at = marker.at ? new Date(marker.at) : ctx.now();
  const input = posixRelative(layout.workspace, layout.request(id));
  const output = posixRelative(layout.workspace, layout.approve(id));
  return {
    approval: { level: "manual", via: "approve marker", approved_by: marker.approvedBy, at: at.toISOString(), detail: `${output} for ${input}` },
    ledgerLine: approvalLedgerLine({ id, at, level: "manual", via: "approve marker", approvedBy: marker.approvedBy, input, output }),
  };
}

/** Write a RESULT for a request that never reached Codex (cancelled early, crashed too often). */
export function finishWithoutRun(
  ctx: RelayContext,
  options: { id: string; detectedAt: Date; status: ResultFile["status"]; error: RelayError },
): Promise<ProcessOutcome> {
  return publish(ctx, buildResult({ ...options, kind: "analysis", warnings: [], codex: emptyCodexInfo("analysis"), finishedAt: ctx.now() }), []);
}

function emptyCodexInfo(kind: string): CodexInfo {
  const sandbox = writesCode(kind) ? "workspace-write" : "read-only";
  return { version: null, bin: null, model: null, thread_id: null, sandbox, exit_code: null };
}

async function publish(ctx: RelayContext, result: ResultFile, auditFiles: readonly string[]): Promise<ProcessOutcome> {
  const written = await writeResult(ctx.layout, result, ctx.redactor);
  ctx.logger.log(written.status === "completed" ? "info" : "warn", "result written", {
    id: written.id,
    status: written.status,
    error: written.error?.code,
    ms: written.timing.duration_ms,
  });
  // The RESULT is the answer; the audit commit (several git calls) follows without holding the slot.
  if (ctx.config.audit.enabled) ctx.background.run(() => recordInAudit(ctx, written.id, auditFiles));
  return { kind: "result", result: written };
}
