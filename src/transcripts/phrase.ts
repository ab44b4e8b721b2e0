// The magic phrase (PROTOCOL.md §7): a line `DELEGATE TO CODEX: <issue>` said as prose.
//
// What counts as saying it (decided here, one place for every transcript format):
// - The phrase starts its line, after at most 3 spaces, optionally after one list marker
//   (`- `, `* `, `+ `, `1. `, `1) `) and optionally bold (`**DELEGATE TO CODEX:** x` or
//   `**DELEGATE TO CODEX: x**`): agents write requests as bullets and in bold. Headings, inline code
//   and mid-sentence mentions ("say `DELEGATE TO CODEX: <issue>`") are talking *about* the phrase.
// - `DELEGATE TO CODEX:` is matched case-sensitively; the issue is the rest of that one line, trimmed,
//   and must not be empty nor a placeholder (`<issue>`, `...`), which is how docs describe the phrase.
// - Never inside fenced code (``` or ~~~, CommonMark rules: an unclosed fence runs to the end), block
//   quotes (`>` lines and their lazy continuation lines up to the next blank line) or indented code
//   (4+ columns of indentation, whatever comes before: simpler and safer than CommonMark's rule).
// - Several phrases in one message are several requests; the same issue twice in one message is one
//   request (the first), since repeating a line is emphasis, not a second ask.

export const PHRASE = "DELEGATE TO CODEX:";
/** The phrase as raw bytes: ASCII with nothing JSON escapes, so it is byte-identical inside JSONL strings. */
export const PHRASE_BYTES: Buffer = Buffer.from(PHRASE, "latin1");

// Node's Buffer#indexOf finds needles of up to 7 bytes with memchr on their first byte, and longer
// ones with Boyer-Moore-Horspool keyed on their last byte, here ':', which JSON is full of. Measured
// on 200 MB of Claude Code JSONL: ~12 GB/s for "DELEGAT" against ~2–4 GB/s for the whole phrase.
const PREFIX = PHRASE_BYTES.subarray(0, 7);

/** Position of the next phrase in `buffer` at or after `from`, or -1: a byte search, nothing decoded. */
export function indexOfPhrase(buffer: Buffer, from: number): number {
  let i = buffer.indexOf(PREFIX, from);
  while (i !== -1 && i + PHRASE_BYTES.length <= buffer.length) {
    if (buffer.compare(PHRASE_BYTES, 0, PHRASE_BYTES.length, i, i + PHRASE_BYTES.length) === 0) return i;
    i = buffer.indexOf(PREFIX, i + 1);
  }
  return -1;
}

export interface PhraseMatch {
  issue: string;
  /** Offset (UTF-16 code units) in the searched text of the start of the line that says it. */
  offset: number;
}

/**
 * JSON-serializable Markdown block state carried from one line to the next (and across restarts;
 * markdown-state.ts validates a saved one). A plain type here: the hook command finds phrases
 * with this module and must not pay for loading zod.
 */
export interface MarkdownState {
  fence?: { marker: "`" | "~"; length: number };
  quote: boolean;
}

const SPACE = 0x20;
const TAB = 0x09;
const BACKTICK = 0x60;
const TILDE = 0x7e;
const GT = 0x3e;
const HASH = 0x23;

type Source = Buffer | string;

// Every marker is ASCII, so bytes and UTF-16 code units read the same here.
function codeAt(source: Source, i: number): number {
  return typeof source === "string" ? source.charCodeAt(i) : (source[i] ?? 0);
}

// A line starting with none of these leaves the block state as it is: the common case, decided on one byte.
const SPECIAL_FIRST = new Uint8Array(128);
for (const c of " \t`~>#-*+0123456789") SPECIAL_FIRST[c.charCodeAt(0)] = 1;

/**
 * Follows fences, block quotes and indented code line by line, so a caller can ask whether a
 * line is prose. Reads strings and raw bytes alike, which lets the Markdown transcript parsers
 * classify every line of a file without decoding it.
 */
export class MarkdownTracker {
  private fence: MarkdownState["fence"];
  private quote: boolean;

  constructor(state: MarkdownState = { quote: false }) {
    this.fence = state.fence ? { ...state.fence } : undefined;
    this.quote = state.quote;
  }

  snapshot(): MarkdownState {
    return { quote: this.quote, ...(this.fence ? { fence: { ...this.fence } } : {}) };
  }

  reset(): void {
    this.fence = undefined;
    this.quote = false;
  }

  /** Whether the next line, [start, end) of a string or a buffer without its line break, is prose. */
  isProse(source: Source, start = 0, end = source.length): boolean {
    if (start < end) {
      const first = codeAt(source, start);
      if (first >= 128 || SPECIAL_FIRST[first] === 0) return !this.fence && !this.quote;
    }
    let i = start;
    let column = 0;
    for (; i < end; i++) {
      const c = codeAt(source, i);
      if (c === SPACE) column += 1;
      else if (c === TAB) column += 4 - (column % 4);
      else break;
    }
    const blank = i === end;
    if (this.fence) {
      if (column < 4 && !blank && closesFence(source, i, end, this.fence)) this.fence = undefined;
      return false;
    }
    if (blank) {
      this.quote = false;
      return false;
    }
    if (column >= 4) return false; // indented code, or a lazy quote line: never prose either way
    const first = codeAt(source, i);
    if (first === GT) {
      this.quote = true;
      return false;
    }
    const opened = opensFence(source, i, end);
    if (opened) {
      this.fence = opened;
      this.quote = false;
      return false;
    }
    // A heading or list item starts a new block, which ends a lazily continued quote.
    if (this.quote && !(first === HASH || startsListItem(source, i, end))) return false;
    this.quote = false;
    return true;
  }
}

function runLength(source: Source, i: number, end: number, char: number): number {
  let n = 0;
  while (i + n < end && codeAt(source, i + n) === char) n++;
  return n;
}

function opensFence(source: Source, i: number, end: number): MarkdownState["fence"] {
  const char = codeAt(source, i);
  if (char !== BACKTICK && char !== TILDE) return undefined;
  const length = runLength(source, i, end, char);
  if (length < 3) return undefined;
  if (char === BACKTICK) {
    // A backtick fence's info string may not contain a backtick (CommonMark), else it is inline code.
    for (let j = i + length; j < end; j++) if (codeAt(source, j) === BACKTICK) return undefined;
  }
  return { marker: char === BACKTICK ? "`" : "~", length };
}

function closesFence(source: Source, i: number, end: number, fence: NonNullable<MarkdownState["fence"]>): boolean {
  const length = runLength(source, i, end, fence.marker === "`" ? BACKTICK : TILDE);
  if (length < fence.length) return false;
  for (let j = i + length; j < end; j++) {
    const c = codeAt(source, j);
    if (c !== SPACE && c !== TAB) return false;
  }
  return true;
}

function startsListItem(source: Source, i: number, end: number): boolean {
  const c = codeAt(source, i);
  const spaceAt = (j: number): boolean => j < end && (codeAt(source, j) === SPACE || codeAt(source, j) === TAB);
  if (c === 0x2d || c === 0x2a || c === 0x2b) return spaceAt(i + 1);
  let j = i;
  while (j < end && j - i <= 9 && codeAt(source, j) >= 0x30 && codeAt(source, j) <= 0x39) j++;
  if (j === i || j - i > 9) return false;
  const mark = codeAt(source, j);
  return j < end && (mark === 0x2e || mark === 0x29) && spaceAt(j + 1);
}

// Up to 3 spaces, an optional list marker, optional bold, the phrase, optional closing bold, the issue.
const PHRASE_LINE = /^ {0,3}(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?(\*\*|__)?DELEGATE TO CODEX:(\*\*|__)?(.*)$/;
const PLACEHOLDER = /^(?:<[^<>]*>|\.\.\.|…)$/;

/** The issue a single prose line asks for, or undefined when it does not say the phrase. */
export function matchPhraseLine(line: string): string | undefined {
  const match = PHRASE_LINE.exec(line);
  if (!match) return undefined;
  const [, openBold, closeBold, rest = ""] = match;
  let issue = rest.trim();
  if (openBold && !closeBold && issue.endsWith(openBold)) issue = issue.slice(0, -openBold.length).trim();
  if (!issue || PLACEHOLDER.test(issue)) return undefined;
  return issue;
}

/** Every distinct issue said as prose in one message, in order. */
export function findPhrases(text: string): PhraseMatch[] {
  const found: PhraseMatch[] = [];
  if (!text.includes(PHRASE)) return found;
  const tracker = new MarkdownTracker();
  const seen = new Set<string>();
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf("\n", start);
    const lineEnd = newline === -1 ? text.length : newline;
    const end = lineEnd > start && text.charCodeAt(lineEnd - 1) === 0x0d ? lineEnd - 1 : lineEnd;
    if (tracker.isProse(text, start, end)) {
      const line = text.slice(start, end);
      const issue = line.includes(PHRASE) ? matchPhraseLine(line) : undefined;
      if (issue !== undefined && !seen.has(issue)) {
        seen.add(issue);
        found.push({ issue, offset: start });
      }
    }
    if (newline === -1) break;
    start = newline + 1;
  }
  return found;
}
