// Text helpers shared by the patch, micro, diagnosis and plan reports.
import { fenceFor } from "../protocol/code-fence.js";
import { formatRequestId } from "../protocol/request-id.js";

/** `YYYYMMDD-HHMMSS` in UTC, the stamp in report file names. */
export function fileStamp(time: Date): string {
  return formatRequestId(time).replace("_", "-");
}

/** Inline Markdown code that survives backticks in `text` (a longer backtick run around it). */
export function inlineCode(text: string): string {
  const ticks = fenceFor(text, 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

/** A template view of a fenced block: the text and a fence longer than any backtick run in it. */
export function fenced(text: string): { text: string; fence: string } {
  return { text, fence: fenceFor(text) };
}

/** Milliseconds for people, or "not measured". */
export function millis(ms: number | null): string {
  return ms === null ? "not measured" : `${Math.round(ms)} ms`;
}

/**
 * A route decision ready to copy (diagnosis reports, PLAN.md): `approved_by:` is left empty on
 * purpose, so a copied block approves nothing by itself. `lead`: lines after the title.
 * `approval`: the one writer that approves (the delegate policy) names itself and pins the diagnosis.
 */
export function routeDecisionBlock(
  title: string,
  lead: readonly string[],
  files: readonly string[],
  approval: { readonly approvedBy: string; readonly diagnosisSha256: string } | null = null,
): string {
  return [
    "---",
    "permission: codex-rw",
    approval ? `approved_by: ${JSON.stringify(approval.approvedBy)}` : "approved_by:",
    ...(approval ? [`diagnosis_sha256: ${approval.diagnosisSha256}`] : []),
    "---",
    "",
    `# Route Decision: ${title}`,
    "",
    ...(lead.length > 0 ? [...lead, ""] : []),
    "## Approved Files",
    "",
    ...(files.length > 0 ? files.map((f) => `- ${f}`) : ["- (list the files Codex may change)"]),
  ].join("\n");
}
