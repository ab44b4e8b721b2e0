// Which transcript format a file is, from its path first (each tool writes to a known place) and
// then from its first line, so a copied or relocated transcript is still read right.
import { createAiderParser } from "./formats/aider.js";
import { parseClaudeCodeRecord } from "./formats/claude-code.js";
import { parseCodexCliRecord } from "./formats/codex-cli.js";
import { createPlainTextParser } from "./formats/plain-text.js";
import type { LineParser, RecordParser } from "./scan-chunk.js";

export type TranscriptFormat = "claude-code" | "codex-cli" | "aider" | "plain";

const CLAUDE_RECORD_TYPES = new Set(["user", "assistant", "system", "summary", "file-history-snapshot", "queue-operation", "progress"]);

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

function detectFromHead(head: string): TranscriptFormat {
  if (/^\s*# aider chat started at /.test(head)) return "aider";
  const first = head.trimStart().split("\n", 1)[0] ?? "";
  if (!first.startsWith("{")) return "plain";
  let record: unknown;
  try {
    record = JSON.parse(first);
  } catch {
    return "plain"; // a head cut mid-line, or not JSON: nothing to tell by
  }
  if (typeof record !== "object" || record === null) return "plain";
  const fields = record as Record<string, unknown>;
  if (fields.type === "session_meta" || fields.record_type === "state") return "codex-cli";
  if (typeof fields.id === "string" && typeof fields.timestamp === "string" && "instructions" in fields) return "codex-cli";
  if (typeof fields.type === "string" && CLAUDE_RECORD_TYPES.has(fields.type) && ("sessionId" in fields || "leafUuid" in fields)) return "claude-code";
  return "plain";
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
