// Text helpers shared by the patch, micro and diagnosis reports.
import { formatRequestId } from "../protocol/request-id.js";
import { fenceFor } from "./templates.js";

/** `YYYYMMDD-HHMMSS` in UTC, the stamp in report file names. */
export function fileStamp(time: Date): string {
  return formatRequestId(time).replace("_", "-");
}

/** Inline Markdown code that survives backticks in `text` (a longer backtick run around it). */
export function inlineCode(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const ticks = "`".repeat(longest + 1);
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
