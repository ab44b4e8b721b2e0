// After a diagnosis under `[approval] level = "delegate"`: ask the delegate policy, and when it
// approves, do what a person would — write progress/ROUTE_DECISION.md (approved_by the policy,
// pinned to the diagnosis by sha256), record the approval in the ledger, and queue the patch (one
// approval, one patch run: the daemon's own trigger joins it) unless `[patch] auto_patch = false`. When it does not, nothing is written
// and the diagnosis RESULT says why a person must decide.
import { mkdir } from "node:fs/promises";
import type { KindRun } from "../context/kind-run.js";
import { publishApprovedPatch } from "../protocol/approval-request.js";
import { PATCH_NOT_QUEUED } from "../protocol/held-patch.js";
import type { Diagnosis } from "../protocol/diagnosis.js";
import { ROUTE_DECISION_FILE, TASK_PACKET_FILE } from "../protocol/layout.js";
import { renderRequest } from "../protocol/render-request.js";
import type { ApprovalRecord } from "../protocol/result.js";
import { routeDecisionBlock } from "../report/report-text.js";
import { appendLedger, approvalLedgerLine } from "../report/ledger.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { sha256 } from "../util/sha256.js";
import { DELEGATE_APPROVER, delegateVerdict } from "./delegate-policy.js";

export interface DelegatedDiagnosis {
  readonly title: string;
  readonly diagnosis: Diagnosis;
  /** Workspace-relative path of the diagnosis report, and its text as written. */
  readonly path: string;
  readonly text: string;
  /** The task packet lists verification commands. */
  readonly verified: boolean;
}

export interface DelegateOutcome {
  readonly approval: ApprovalRecord;
  /** One line for the diagnosis RESULT's summary. */
  readonly said: string;
  readonly auditFiles: readonly string[];
}

export async function delegateApproval(run: KindRun, input: DelegatedDiagnosis): Promise<DelegateOutcome> {
  const { ctx, id } = run;
  const { layout, config } = ctx;
  const at = ctx.now();
  const verdict = delegateVerdict(input.diagnosis, config, input.verified);
  if (!verdict.approve) {
    const why = verdict.reasons.join("; ");
    ctx.logger.log("info", "delegate policy halted", { id, message: why });
    return {
      approval: { level: "delegate", via: "delegate policy", approved_by: null, at: at.toISOString(), detail: `not approved by the delegate policy: ${why}` },
      said: `awaiting a person: the delegate policy did not approve the patch (${why}); review ${input.path} and write ${ROUTE_DECISION_FILE} to approve it`,
      auditFiles: [],
    };
  }
  const diagnosisSha256 = sha256(input.text);
  const { auto_files: autoFiles, halt_on: haltOn } = config.approval;
  const route = routeDecisionBlock(
    input.title,
    [
      `Diagnosis: ${input.path}`,
      "",
      `Approved by the delegate policy (\`[approval] level = "delegate"\`) after diagnosis request ${id}: every file matches`,
      `approval.auto_files (${list(autoFiles)}), none matches approval.halt_on (${list(haltOn)}), and ${verdict.files.length} of at most ${config.patch.max_files} files change.`,
    ],
    verdict.files,
    { approvedBy: DELEGATE_APPROVER, diagnosisSha256 },
  );
  await mkdir(layout.progress, { recursive: true });
  await writeFileAtomic(layout.routeDecision, route, layout.tmp);
  const routeSha256 = sha256(route);
  await appendLedger(
    layout.ledger,
    ctx.redactor.redactDeep(
      approvalLedgerLine({ id, at, level: "delegate", via: "delegate policy", approvedBy: DELEGATE_APPROVER, input: input.path, output: ROUTE_DECISION_FILE, filesApproved: verdict.files, diagnosisSha256, routeDecisionSha256: routeSha256 }),
    ),
  );
  // `[patch] auto_patch = false` promises that no route decision starts a patch by itself: the
  // approval stands, and a person starts the patch with `codex-relay patch`.
  const approved = `approved ${verdict.files.join(", ")} for ${input.path} (sha256 ${diagnosisSha256}) in ${ROUTE_DECISION_FILE} (sha256 ${routeSha256})`;
  const approval = { level: "delegate", via: "delegate policy", approved_by: DELEGATE_APPROVER, at: at.toISOString() } as const;
  const auditFiles = [layout.routeDecision, layout.ledger];
  if (!config.patch.auto_patch) {
    ctx.logger.log("info", "delegate policy approved", { id, patch: null, files: [...verdict.files] });
    return { approval: { ...approval, detail: `${approved}; ${PATCH_NOT_QUEUED}` }, said: `the delegate policy approved ${verdict.files.join(", ")}; ${PATCH_NOT_QUEUED}`, auditFiles };
  }
  const markdown = renderRequest({
    kind: "patch",
    issue: `Apply the diagnosed fix for ${TASK_PACKET_FILE} (approved by the delegate policy: ${input.path}).`,
    requestedBy: `${DELEGATE_APPROVER} after diagnosis ${id}`,
    createdAt: at,
  });
  const patch = await publishApprovedPatch(layout, markdown, at, ctx.redactor);
  ctx.logger.log("info", "delegate policy approved", { id, patch: patch.id, files: [...verdict.files] });
  return {
    approval: { ...approval, detail: `${approved}; patch request ${patch.id}` },
    said: `the delegate policy approved ${verdict.files.join(", ")}; patch request ${patch.id} queued`,
    auditFiles,
  };
}

function list(globs: readonly string[]): string {
  return globs.length === 0 ? "none" : globs.map((glob) => `\`${glob}\``).join(", ");
}
