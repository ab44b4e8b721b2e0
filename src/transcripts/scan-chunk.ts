// The fast path of transcript tailing: find the magic phrase in newly appended bytes.
//
// Cost follows the appended bytes, not the file: each call sees only the new bytes (plus the
// unfinished last line of the previous call, `carry`). JSONL formats are searched with
// `Buffer.indexOf` for the phrase's bytes and only the lines holding them are decoded and parsed:
// every JSONL line is a self-contained record, so nothing about other lines matters. Markdown
// formats (Aider, plain logs) cannot skip lines: whether a line is prose depends on fences and
// quotes opened earlier, so their parser sees the first bytes of every line (no decoding) and
// keeps that state itself, across calls; it still decodes only the lines that hold the phrase.
import { sha256 } from "../util/sha256.js";
import { findPhrases, indexOfPhrase } from "./phrase.js";

/** What a user or an agent said in one transcript record (never tool calls, tool output or file contents). */
export interface Utterance {
  role: "user" | "assistant";
  text: string;
  /** The message's id when the format has one (Claude Code `uuid`, Codex `msg_…`). */
  id?: string;
  timestamp?: string;
}

/** A JSONL format: each line is a whole record, parsed on its own. */
export type RecordParser = (line: string) => Utterance[];

/** A line format whose lines depend on earlier lines; one instance per transcript file, fed every line in order. */
export interface LineParser<State = unknown> {
  readonly kind: "lines";
  /**
   * One complete line, bytes [start, end) of `buffer` without its line break. Only when `candidate`
   * (the line holds the phrase's bytes) may it decode the line and return utterances.
   */
  feed(buffer: Buffer, start: number, end: number, candidate: boolean): Utterance[];
  /** JSON-serializable state after the last fed line: persist it with `consumedTo`, pass it back on restart. */
  snapshot(): State;
}

export interface Hit {
  /** Byte offset in the transcript file of the start of the line that says the phrase. */
  offset: number;
  role: "user" | "assistant";
  issue: string;
  messageId?: string;
  timestamp?: string;
  /** sha256 (hex) of the raw line: tells a rewritten file from the one seen before at the same offset. */
  lineHash: string;
  /** Stable id of this utterance within the transcript: `<offset>:<line hash>:<issue hash>`; prefix it with the path to dedupe. */
  key: string;
}

export interface ScanResult {
  hits: Hit[];
  /** The unfinished last line (a copy), to pass to the next call; undefined when the chunk ended on a line break. */
  carry: Buffer | undefined;
  /** File offset up to which lines are complete and scanned: persist this, and re-read from it after a restart. */
  consumedTo: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Scans `buffer`, the bytes of a transcript file from offset `start`. `carry` is the previous
 * call's unfinished line (it sits just before `start`); a line split across appends is scanned
 * once, when its line break arrives.
 */
export function scanChunk(buffer: Buffer, start: number, carry: Buffer | undefined, parse: RecordParser | LineParser): ScanResult {
  const hits: Hit[] = [];
  let from = 0;
  if (carry && carry.length > 0) {
    const newline = buffer.indexOf(NEWLINE);
    if (newline === -1) return { hits, carry: Buffer.concat([carry, buffer]), consumedTo: start - carry.length };
    // Only the split line is copied together; the rest of the chunk is scanned in place.
    const line = Buffer.concat([carry, buffer.subarray(0, newline)]);
    scanRegion(line, 0, line.length, start - carry.length, parse, hits);
    from = newline + 1;
  }
  const complete = buffer.lastIndexOf(NEWLINE) + 1;
  if (complete > from) scanRegion(buffer, from, complete, start, parse, hits);
  const end = Math.max(complete, from);
  return {
    hits,
    carry: end < buffer.length ? Buffer.from(buffer.subarray(end)) : undefined,
    consumedTo: start + end,
  };
}

// [from, to) holds whole lines, each ending with a line break except the rejoined split line.
function scanRegion(buffer: Buffer, from: number, to: number, base: number, parse: RecordParser | LineParser, hits: Hit[]): void {
  const lineEnd = (lineStart: number): number => {
    const newline = buffer.indexOf(NEWLINE, lineStart);
    return newline === -1 || newline >= to ? to : newline;
  };
  if (typeof parse === "function") {
    let next = indexOfPhrase(buffer, from);
    while (next !== -1 && next < to) {
      const lineStart = buffer.lastIndexOf(NEWLINE, next) + 1;
      const end = lineEnd(next);
      const line = buffer.toString("utf8", lineStart, withoutCr(buffer, lineStart, end));
      collectHits(parse(line), buffer, lineStart, end, base, hits);
      next = end + 1 < to ? indexOfPhrase(buffer, end + 1) : -1;
    }
    return;
  }
  let next = indexOfPhrase(buffer, from);
  let lineStart = from;
  while (lineStart < to) {
    const end = lineEnd(lineStart);
    const candidate = next !== -1 && next < end;
    const said = parse.feed(buffer, lineStart, withoutCr(buffer, lineStart, end), candidate);
    if (candidate) {
      collectHits(said, buffer, lineStart, end, base, hits);
      next = indexOfPhrase(buffer, end);
    }
    lineStart = end + 1;
  }
}

function withoutCr(buffer: Buffer, start: number, end: number): number {
  return end > start && buffer[end - 1] === CR ? end - 1 : end;
}

function collectHits(said: Utterance[], buffer: Buffer, lineStart: number, lineEnd: number, base: number, hits: Hit[]): void {
  if (said.length === 0) return;
  let lineHash: string | undefined;
  const seen = new Set<string>();
  for (const utterance of said) {
    for (const { issue } of findPhrases(utterance.text)) {
      const id = `${utterance.role}\0${issue}`;
      if (seen.has(id)) continue; // one record repeating itself is one utterance
      seen.add(id);
      lineHash ??= sha256(buffer.subarray(lineStart, lineEnd));
      const offset = base + lineStart;
      hits.push({
        offset,
        role: utterance.role,
        issue,
        ...(utterance.id === undefined ? {} : { messageId: utterance.id }),
        ...(utterance.timestamp === undefined ? {} : { timestamp: utterance.timestamp }),
        lineHash,
        key: `${offset}:${lineHash.slice(0, 16)}:${sha256(Buffer.from(id)).slice(0, 16)}`,
      });
    }
  }
}
