// out/codex-diagnosis-*.md (PROTOCOL.md §5): Codex's read-only diagnosis for people, with a
// ready-to-copy ROUTE_DECISION that approves exactly the files Codex expects to change. Pure.
import type { Diagnosis } from "../protocol/diagnosis.js";
import { fenced, fileStamp, inlineCode, routeDecisionBlock } from "./report-text.js";
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
    route_decision: fenced(routeDecision(input)),
  });
}

function routeDecision(input: DiagnosisReportInput): string {
  const files = [...new Set(input.diagnosis.files_to_change.map((f) => f.path))];
  return routeDecisionBlock(input.title, [`Diagnosis: out/${diagnosisReportName(input.createdAt)}`], files);
}
