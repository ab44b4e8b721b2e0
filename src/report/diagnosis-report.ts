// out/codex-diagnosis-*.md (PROTOCOL.md §5): Codex's read-only diagnosis for people, with a
// ready-to-copy ROUTE_DECISION that approves exactly the files Codex expects to change. Pure.
import type { Diagnosis } from "../protocol/diagnosis.js";
import { fenced, fileStamp, inlineCode } from "./report-text.js";
import { renderTemplate } from "./templates.js";

export interface DiagnosisReportInput {
  readonly id: string;
  readonly title: string;
  /** Workspace-relative, e.g. progress/TASK_PACKET.md. */
  readonly taskPacketPath: string;
  readonly createdAt: Date;
  readonly diagnosis: Diagnosis;
  readonly codexVersion: string | null;
  readonly model: string | null;
  readonly threadId: string | null;
}

/** `codex-diagnosis-YYYYMMDD-HHMMSS.md` (UTC). */
export function diagnosisReportName(createdAt: Date): string {
  return `codex-diagnosis-${fileStamp(createdAt)}.md`;
}

export function renderDiagnosisReport(input: DiagnosisReportInput, template: string): string {
  const { diagnosis } = input;
  return renderTemplate(template, {
    ...diagnosis,
    title: input.title,
    id: input.id,
    timestamp: input.createdAt.toISOString(),
    task_packet: inlineCode(input.taskPacketPath),
    codex_line: [`version ${input.codexVersion ?? "unknown"}`, input.model && `model ${input.model}`, input.threadId && `thread ${input.threadId}`]
      .filter(Boolean)
      .join(", "),
    files: diagnosis.files_to_change.map((f) => ({ path: inlineCode(f.path), reason: f.reason })),
    route_decision: fenced(
      routeDecisionText({
        title: input.title,
        diagnosisPath: `out/${diagnosisReportName(input.createdAt)}`,
        files: input.diagnosis.files_to_change.map((f) => f.path),
        approvedBy: "",
      }),
    ),
  });
}

export interface RouteDecisionFields {
  readonly title: string;
  /** Workspace-relative path of the diagnosis approved. */
  readonly diagnosisPath: string;
  readonly files: readonly string[];
  /** Empty in the diagnosis report's ready-made block: a copied block must not approve anything by itself. */
  readonly approvedBy: string;
  /** Pins the diagnosis by content (`diagnosis_sha256:`). */
  readonly diagnosisSha256?: string;
  /** Lines after the diagnosis line, e.g. the policy that approved it. */
  readonly note?: readonly string[];
}

/** progress/ROUTE_DECISION.md as PROTOCOL.md §5 reads it: permission, approver, diagnosis, approved files. */
export function routeDecisionText(fields: RouteDecisionFields): string {
  const files = [...new Set(fields.files)];
  return [
    "---",
    "permission: codex-rw",
    fields.approvedBy ? `approved_by: ${JSON.stringify(fields.approvedBy)}` : "approved_by:",
    ...(fields.diagnosisSha256 ? [`diagnosis_sha256: ${fields.diagnosisSha256}`] : []),
    "---",
    "",
    `# Route Decision: ${fields.title}`,
    "",
    `Diagnosis: ${fields.diagnosisPath}`,
    ...(fields.note && fields.note.length > 0 ? ["", ...fields.note] : []),
    "",
    "## Approved Files",
    "",
    ...(files.length > 0 ? files.map((f) => `- ${f}`) : ["- (list the files Codex may change)"]),
  ].join("\n");
}
