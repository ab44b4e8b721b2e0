// The magic phrase (PROTOCOL.md §7): `DELEGATE TO CODEX: <issue>` said as prose.
//
// What counts as saying it (decided here, one place for every transcript format and the hooks):
// - In any letter case (`Delegate to Codex:`, `delegate to codex:`), at the start of a line (after at
//   most 3 spaces, optionally one list marker `- `, `* `, `+ `, `1. `, `1) `) or at the start of a
//   sentence (after `.`, `!` or `?` and a space), optionally in emphasis (`**…:**`, `__…:__`, `*…:*`,
//   or the whole line `**…: x**`). Headings, inline code and mid-sentence mentions ("say
//   `DELEGATE TO CODEX: <issue>`", "write delegate to codex: …") are talking *about* the phrase.
// - The issue is the rest of that one line, trimmed; it must not be empty nor a placeholder
//   (`<issue>`, `...`), which is how docs describe the phrase. An empty one is not a request, but
//   `saysEmptyPhrase` lets a hook answer it with a hint instead of silence.
// - Never inside fenced code (``` or ~~~, CommonMark rules: an unclosed fence runs to the end), block
//   quotes (`>` lines and their lazy continuation lines up to the next blank line) or indented code
//   (4+ columns of indentation, whatever comes before: simpler and safer than CommonMark's rule).
// - Several phrases in one message are several requests; the same issue twice in one message is one
//   request (the first), since repeating a line is emphasis, not a second ask.

/** The phrase as the docs write it (any letter case is accepted). */
export const PHRASE = "DELEGATE TO CODEX:";

/** Whether `text` holds the phrase anywhere, in any case: the cheap check before a real parse. */
export function mentionsPhrase(text: string): boolean {
  return ANY_CASE.test(text);
}
const ANY_CASE = /delegate to codex:/i;

// Node's Buffer#indexOf finds a 2-byte needle with memchr on its first byte. Every phrase ends in
// `x:` or `X:`, and `x` is rare in prose and JSON alike, so those two needles find the candidates
// and the 17 bytes before them are compared case-insensitively. Measured on 100 MB of Claude Code
// JSONL: ~2.5 GB/s, faster than the case-sensitive search for "DELEGAT" it replaced (~1.5 GB/s).
const LOWER_END = Buffer.from("x:", "latin1");
const UPPER_END = Buffer.from("X:", "latin1");
const STEM = "delegate to codex"; // the 17 bytes before the colon, lower case
const STEM_LENGTH = STEM.length;

function stemAt(buffer: Buffer, start: number): boolean {
  if (start < 0) return false;
  for (let k = 0; k < STEM_LENGTH; k++) {
    const want = STEM.charCodeAt(k);
    const got = buffer[start + k]!;
    if (want === 0x20 ? got !== 0x20 : (got | 0x20) !== want) return false;
  }
  return true;
}

/** Position of the next phrase (any case) in `buffer` at or after `from`, or -1: a byte search, nothing decoded. */
export function indexOfPhrase(buffer: Buffer, from: number): number {
  let lower = buffer.indexOf(LOWER_END, from + STEM_LENGTH - 1);
  let upper = buffer.indexOf(UPPER_END, from + STEM_LENGTH - 1);
  while (lower !== -1 || upper !== -1) {
    let end: number;
    if (upper === -1 || (lower !== -1 && lower < upper)) {
      end = lower;
      lower = buffer.indexOf(LOWER_END, end + 1);
    } else {
      end = upper;
      upper = buffer.indexOf(UPPER_END, end + 1);
    }
    if (stemAt(buffer, end - (STEM_LENGTH - 1))) return end - (STEM_LENGTH - 1);
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

// Where a phrase may start: the line's start (up to 3 spaces, an optional list marker) or a
// sentence's (after `.`, `!`, `?`, perhaps a closing quote or bracket, then blanks); then optional emphasis.
const LINE_START = /^ {0,3}(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?(\*\*|__|\*|_)?$/;
const SENTENCE_START = /[.!?]["'’”)\]]?[ \t]+(\*\*|__|\*|_)?$/;
// "e.g. DELEGATE TO CODEX: x" gives an example, it does not start a sentence.
const ABBREVIATION = /(?:^|[\s(])(?:e\.g|i\.e|cf|vs|viz|eg|ie)\.["'’”)\]]?[ \t]+(?:\*\*|__|\*|_)?$/i;
const PHRASE_AT = /delegate to codex:/gi;
const PLACEHOLDER = /^(?:<[^<>]*>|\.\.\.|…)$/;

/** The issue a prose line says (may be ""), or undefined when the line does not say the phrase. */
function issueOfLine(line: string): string | undefined {
  if (/^ {0,3}#/.test(line)) return undefined; // a heading names the phrase, it does not say it
  const code = inlineCodeSpans(line);
  for (const match of line.matchAll(PHRASE_AT)) {
    const at = match.index;
    if (code.some(([from, to]) => at >= from && at < to)) continue;
    const before = line.slice(0, at);
    const opened = LINE_START.exec(before) ?? (ABBREVIATION.test(before) ? null : SENTENCE_START.exec(before));
    if (!opened) continue;
    const open = opened[1];
    let rest = line.slice(at + match[0].length);
    if (open && rest.startsWith(open)) rest = rest.slice(open.length); // `**Delegate to Codex:** x`
    let issue = rest.trim();
    if (open && issue.endsWith(open)) issue = issue.slice(0, -open.length).trim(); // `**Delegate to Codex: x**`
    return issue;
  }
  return undefined;
}

/** [start, end) of each inline code span of one line (CommonMark: a backtick run closed by one as long). */
function inlineCodeSpans(line: string): [number, number][] {
  const spans: [number, number][] = [];
  if (!line.includes("`")) return spans;
  let i = 0;
  while (i < line.length) {
    const open = line.indexOf("`", i);
    if (open === -1) break;
    let length = 1;
    while (line[open + length] === "`") length += 1;
    const ticks = "`".repeat(length);
    let close = line.indexOf(ticks, open + length);
    while (close !== -1 && line[close + length] === "`") close = line.indexOf(ticks, close + length + 1);
    if (close === -1) {
      i = open + length; // an unclosed run is literal backticks
      continue;
    }
    spans.push([open, close + length]);
    i = close + length;
  }
  return spans;
}

/** The issue a single prose line asks for, or undefined when it does not say the phrase (or says it empty). */
export function matchPhraseLine(line: string): string | undefined {
  const issue = issueOfLine(line);
  return issue && !PLACEHOLDER.test(issue) ? issue : undefined;
}

/** Every distinct issue said as prose in one message, in order. */
export function findPhrases(text: string): PhraseMatch[] {
  const found: PhraseMatch[] = [];
  const seen = new Set<string>();
  eachProseLine(text, (line, offset) => {
    const issue = matchPhraseLine(line);
    if (issue !== undefined && !seen.has(issue)) {
      seen.add(issue);
      found.push({ issue, offset });
    }
  });
  return found;
}

/** Whether `text` says the phrase as prose with nothing after it (a hook answers with a hint). */
export function saysEmptyPhrase(text: string): boolean {
  let empty = false;
  eachProseLine(text, (line) => {
    if (issueOfLine(line) === "") empty = true;
  });
  return empty;
}

function eachProseLine(text: string, visit: (line: string, offset: number) => void): void {
  if (!mentionsPhrase(text)) return;
  const tracker = new MarkdownTracker();
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf("\n", start);
    const lineEnd = newline === -1 ? text.length : newline;
    const end = lineEnd > start && text.charCodeAt(lineEnd - 1) === 0x0d ? lineEnd - 1 : lineEnd;
    if (tracker.isProse(text, start, end)) {
      const line = text.slice(start, end);
      if (mentionsPhrase(line)) visit(line, start);
    }
    if (newline === -1) break;
    start = newline + 1;
  }
}
