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
 */
export function routeDecisionBlock(title: string, lead: readonly string[], files: readonly string[]): string {
  return [
    "---",
    "permission: codex-rw",
    "approved_by:",
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
