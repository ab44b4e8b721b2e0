// Which transcript format a file is, from its path first (each tool writes to a known place) and
// then from its first line, so a copied or relocated transcript is still read right.
import { createAiderParser } from "./formats/aider.js";
import { parseClaudeCodeRecord } from "./formats/claude-code.js";
import { parseCodexCliRecord } from "./formats/codex-cli.js";
import { createPlainTextParser } from "./formats/plain-text.js";
import type { LineParser, RecordParser } from "./scan-chunk.js";

export type TranscriptFormat = "claude-code" | "codex-cli" | "aider" | "plain";

/** The format of the transcript at `path`, whose first bytes (at least the first line, if any) are `head`. */
export function detectFormat(path: string, head: string): TranscriptFormat {
  const normalized = path.replaceAll("\\", "/");
  const name = normalized.slice(normalized.lastIndexOf("/") + 1);
  if (name.endsWith(".aider.chat.history.md")) return "aider";
  if (name.endsWith(".jsonl")) {
    if (normalized.includes("/.claude/projects/")) return "claude-code";
    if (normalized.includes("/.codex/sessions/") || /^rollout-.*\.jsonl$/.test(name)) return "codex-cli";
  }
  return detectFromHead(head);
}

// Claude Code adds record types often (`mode`, `attachment`, `last-prompt`, …), so its transcripts
// are told by structure, not by a list of names: JSONL whose records all have a string `type`, at
// least one of them with a string `sessionId` (or a `summary` record's `leafUuid`).
const HEAD_RECORDS = 8;

function detectFromHead(head: string): TranscriptFormat {
  if (/^\s*# aider chat started at /.test(head)) return "aider";
  const records = headRecords(head);
  const first = records[0];
  // A first record longer than the head (a long pasted prompt): its opening keys still tell.
  if (!first) return /^\s*\{"(?:parentUuid|type|sessionId)"/.test(head) && head.includes('"sessionId":"') ? "claude-code" : "plain";
  if (first.type === "session_meta" || first.record_type === "state") return "codex-cli";
  if (typeof first.id === "string" && typeof first.timestamp === "string" && "instructions" in first) return "codex-cli";
  const claude = records.every((r) => typeof r.type === "string") && records.some((r) => typeof r.sessionId === "string" || typeof r.leafUuid === "string");
  return claude ? "claude-code" : "plain";
}

/** The JSON objects of the head's first complete lines; [] as soon as one is not one (not JSONL). */
function headRecords(head: string): Record<string, unknown>[] {
  const lines = head.trimStart().split("\n");
  if (!head.endsWith("\n")) lines.pop(); // a line cut by the head's end says nothing
  const records: Record<string, unknown>[] = [];
  for (const line of lines.slice(0, HEAD_RECORDS)) {
    if (line.trim() === "") continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return [];
    }
    if (typeof record !== "object" || record === null || Array.isArray(record)) return [];
    records.push(record as Record<string, unknown>);
  }
  return records;
}

/**
 * The parser to hand scanChunk for a format. JSONL formats are stateless; for the line formats pass
 * the `snapshot()` persisted with the transcript's offset (undefined for a new transcript).
 */
export function parserFor(format: TranscriptFormat, saved?: unknown): RecordParser | LineParser {
  switch (format) {
    case "claude-code":
      return parseClaudeCodeRecord;
    case "codex-cli":
      return parseCodexCliRecord;
    case "aider":
      return createAiderParser(saved);
    case "plain":
      return createPlainTextParser(saved);
  }
}
