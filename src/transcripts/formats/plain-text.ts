// Plain text and Markdown logs: any other transcript a user points codex-relay at.
//
// There are no roles and no records: the file is one Markdown document, every prose line counts
// (MarkdownTracker skips fenced code, quotes and indented code across the whole file) and is
// attributed to the user, who owns the log. Each line is its own utterance: a log has no message
// boundaries to dedupe within, so the same request written again later is a new request.
import { MarkdownStateSchema } from "../markdown-state.js";
import { matchPhraseLine, type MarkdownState, MarkdownTracker } from "../phrase.js";
import type { LineParser, Utterance } from "../scan-chunk.js";

/** A stateful parser for one plain text/Markdown log; pass a snapshot back to resume (an invalid one starts afresh). */
export function createPlainTextParser(saved?: unknown): LineParser<MarkdownState> {
  const tracker = new MarkdownTracker(MarkdownStateSchema.safeParse(saved).data);
  return {
    kind: "lines",
    feed(buffer, start, end, candidate): Utterance[] {
      const prose = tracker.isProse(buffer, start, end);
      if (!candidate || !prose) return [];
      const text = buffer.toString("utf8", start, end);
      return matchPhraseLine(text) === undefined ? [] : [{ role: "user", text }];
    },
    snapshot: () => tracker.snapshot(),
  };
}
