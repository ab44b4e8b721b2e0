// The zod-free basics of a request (PROTOCOL.md §2): its kinds, the normalization every field
// gets, and the parsed type. Kept apart from the schemas so quick commands stay quick.

// `plan` drafts a plan read-only; `plan-run` commits its steps (PROTOCOL.md §5, plans).
export const REQUEST_KINDS = ["analysis", "diagnose", "patch", "micro", "plan", "plan-run"] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/** Kinds that change code: Codex runs them with write access, and the daemon one at a time. */
export function writesCode(kind: string): boolean {
  return kind === "patch" || kind === "micro" || kind === "plan-run";
}

/** The front matter's known keys (the schema in request.ts checks each). */
export const FRONT_MATTER_KEYS: readonly string[] = [
  "kind", "issue", "files", "model", "requested_by", "context", "logs", "attempted_fixes", "questions", "replay_of",
];

/** A model name becomes a Codex CLI argument, so only a conservative character set is allowed. */
export const MODEL_PATTERN = /^[A-Za-z0-9._:/][A-Za-z0-9._:/-]{0,99}$/; // never a leading "-": it is an argv value

/** A request after parsing: front matter and sections merged, front matter winning. */
export interface DelegationRequest {
  id?: string;
  kind: RequestKind;
  issue: string;
  context: string;
  errorLogs: string;
  attemptedFixes: string[];
  files: string[];
  questions: string[];
  model?: string;
  requestedBy?: string;
  /** The request whose recording this one replays (`codex-relay replay`): its model calls are answered from that recording. */
  replayOf?: string;
  extraSections: { title: string; body: string }[];
  /** The front matter as written (JSON-safe copy: dates become ISO strings), for extra fields such as `transcript`. */
  frontMatter: Record<string, unknown>;
}

/** The normalization every text field gets: leading blank lines and trailing whitespace dropped. */
export function cleanText(text: string): string {
  return text.trimEnd().replace(/^(?:[ \t]*\n)+/, "");
}

/** Items as a request keeps them: cleaned, empty ones dropped. */
export function cleanList(items: readonly string[]): string[] {
  return items.map(cleanText).filter((item) => item !== "");
}

/** File paths as a request keeps them: trimmed, empty ones and repeats dropped, order kept. */
export function cleanFiles(files: readonly string[]): string[] {
  return [...new Set(files.map((file) => file.trim()).filter((file) => file !== ""))];
}
