// progress/ledger.jsonl as status and audit read it: one line per patch or micro run (PROTOCOL.md
// §5), the last line of an id winning. Lines of older versions lack the optional fields.
import { readIfExists } from "../util/read-if-exists.js";

export interface LedgerEntry {
  readonly id: string;
  readonly kind: "patch" | "micro";
  readonly timestamp: string | null;
  /** passed (committed), failed (rolled back) or aborted (never patched); null in old lines. */
  readonly status: string | null;
  readonly verificationPassed: boolean;
  readonly commit: string | null;
  readonly branch: string | null;
  /** A failed attempt kept for inspection (`refs/codex-relay/failed/<id>`). */
  readonly failedRef: string | null;
  readonly filesModified: readonly string[];
  readonly linesChanged: number | null;
  /** Codex runs made: 1 + repairs; null in lines written before the field existed. */
  readonly attempts: number | null;
  /** The patch limits the change broke (limit codes such as `too_many_files`). */
  readonly limitsHit: readonly string[];
  /** Approved files the Builder changed in its own checkout while Codex worked. */
  readonly overlap: readonly string[];
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);
const textOrNull = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

/** The entries of a ledger's text by id (the last line of an id wins); unreadable lines are skipped. */
export function parseLedger(text: string): Map<string, LedgerEntry> {
  const entries = new Map<string, LedgerEntry>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // a line cut by a crash: the rest of the ledger still counts
    }
    if (typeof raw !== "object" || raw === null || typeof raw.id !== "string") continue;
    entries.set(raw.id, {
      id: raw.id,
      kind: raw.skill === "codex-micro" ? "micro" : "patch",
      timestamp: textOrNull(raw.timestamp),
      status: textOrNull(raw.status),
      verificationPassed: raw.verification_passed === true,
      commit: textOrNull(raw.commit),
      branch: textOrNull(raw.branch),
      failedRef: textOrNull(raw.failed_ref),
      filesModified: strings(raw.files_modified),
      linesChanged: typeof raw.lines_changed === "number" ? raw.lines_changed : null,
      attempts: typeof raw.attempts === "number" ? raw.attempts : null,
      limitsHit: strings(raw.limits_hit),
      overlap: strings(raw.overlap),
    });
  }
  return entries;
}

/** The workspace's ledger by id; empty when there is none. */
export async function readLedger(ledgerFile: string): Promise<Map<string, LedgerEntry>> {
  return parseLedger((await readIfExists(ledgerFile)) ?? "");
}
