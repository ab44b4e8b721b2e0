// The diagnose kind (PROTOCOL.md §5): Codex reads the task packet (or the request's issue) and the
// repository, read-only, and the daemon writes `out/codex-diagnosis-YYYYMMDD-HHMMSS.md`, the
// diagnosis a patch later follows.
import { mkdir } from "node:fs/promises";
import { askCodex } from "../codex/ask-codex.js";
import type { ReplySchema } from "../codex/reply-schema.js";
import type { KindOutcome, KindRun } from "../context/kind-run.js";
import type { RelayContext } from "../context/relay-context.js";
import type { TurnPlan } from "../codex/turn-plan.js";
import type { DelegationRequest } from "../protocol/request.js";
import { RelayError } from "../errors.js";
import { Diagnosis, diagnosisJsonSchema } from "../protocol/diagnosis.js";
import { diagnosisReportName, renderDiagnosisReport } from "../report/diagnosis-report.js";
import { loadTemplate, renderTemplate } from "../report/templates.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { oneLine } from "../util/one-line.js";
import { delegateApproval } from "./delegate-approval.js";
import { reserveOutFile } from "./out-file.js";
import { TASK_PACKET_FILE, type Layout } from "../protocol/layout.js";
import { parseTaskPacket, type TaskPacket } from "../protocol/task-packet.js";
import { posixRelative } from "../util/posix-relative.js";
import { readIfExists } from "../util/read-if-exists.js";

const DIAGNOSIS_REPLY: ReplySchema<Diagnosis> = { name: "diagnosis", type: Diagnosis, json: diagnosisJsonSchema };

export async function runDiagnosis(run: KindRun): Promise<KindOutcome> {
  const { ctx, id } = run;
  const { layout, config } = ctx;
  const { packet, title, ...plan } = await diagnosisTurn(ctx, run.request);
  const turn = await askCodex(run, plan);
  if (turn.kind !== "replied") return turn.outcome;
  const diagnosis = turn.reply;

  await mkdir(layout.out, { recursive: true });
  const createdAt = ctx.now();
  const file = await reserveOutFile(layout.out, createdAt, diagnosisReportName);
  const reportTemplate = await loadTemplate("diagnosis-report.md", layout.templates);
  const markdown = renderDiagnosisReport(
    { id, title, taskPacketPath: packet ? TASK_PACKET_FILE : `request ${id}`, createdAt, diagnosis, codexVersion: run.codex.version, model: run.codex.model, threadId: run.codex.thread_id },
    reportTemplate,
  );
  const written = ctx.redactor.redact(markdown);
  await writeFileAtomic(file, written, layout.tmp);
  const relative = posixRelative(layout.workspace, file);
  ctx.logger.log("info", "diagnosis written", { id, file: relative });
  // Under the delegate level the relay may approve the patch itself; otherwise a person does.
  const delegated =
    config.approval.level === "delegate"
      ? await delegateApproval(run, { title, diagnosis, path: relative, text: written, verified: (packet?.verification.length ?? 0) > 0 })
      : null;
  return {
    ...turn.base,
    status: "completed",
    summary: `diagnosis written to ${relative}: ${oneLine(diagnosis.root_cause, 160)}${delegated ? `; ${delegated.said}` : ""}`,
    approval: delegated?.approval ?? null,
    analysis: {
      root_cause: diagnosis.root_cause,
      technical_explanation: diagnosis.technical_explanation,
      recommended_fixes: [
        { priority: 1, title: "Recommended fix", details: diagnosis.recommended_fix, files: diagnosis.files_to_change.map((f) => f.path), code: null },
      ],
      code_examples: [],
      additional_investigation: diagnosis.risks,
      confidence: diagnosis.confidence,
    },
    auditFiles: [file, ...(delegated?.auditFiles ?? [])],
  };
}

/** The diagnosis turn: the task packet (or the request's issue) in the prompt, redacted; read-only. */
export async function diagnosisTurn(ctx: RelayContext, request: DelegationRequest): Promise<TurnPlan<Diagnosis> & { packet: TaskPacket | null; title: string }> {
  const { layout, config } = ctx;
  const packet = await readTaskPacket(layout);
  const issue = request.issue.trim();
  if (!packet && !issue) {
    throw new RelayError("patch_prerequisites", `nothing to diagnose: ${TASK_PACKET_FILE} does not exist and the request has no issue`, {
      hint: `Write ${TASK_PACKET_FILE} (a title, a description and a ## Verification section), or give the request an issue.`,
    });
  }
  const title = packet?.title ?? firstLine(issue);
  const template = await loadTemplate("diagnosis-prompt.md", layout.templates);
  const extra = [packet ? issue : "", request.context.trim()].filter((text) => text && text !== title).join("\n\n");
  const prompt = ctx.redactor.redact(
    renderTemplate(template, {
      title,
      description: packet?.description || issue,
      has_verification: (packet?.verification.length ?? 0) > 0,
      verification: packet?.verification ?? [],
      extra: extra || null,
      max_files: config.patch.max_files,
      max_lines_per_file: config.patch.max_lines_per_file,
      max_total_lines: config.patch.max_total_lines,
    }),
  );

  return { cwd: layout.workspace, sandbox: "read-only", prompt, schema: DIAGNOSIS_REPLY, files: [], refused: [], packet, title };
}

async function readTaskPacket(layout: Layout): Promise<TaskPacket | null> {
  const text = await readIfExists(layout.taskPacket);
  return text === null ? null : parseTaskPacket(text);
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0]?.trim() ?? "";
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
