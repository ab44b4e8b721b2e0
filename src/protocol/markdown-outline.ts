// The one Markdown reader behind every protocol file the relay reads (requests, task packets, route
// decisions, diagnoses): newlines, fenced code, ATX headings and sections, list items.
//
// A line scanner, linear in the input, following CommonMark where sections and lists need it. Not
// remark: micromark merges a paragraph's events with Array#splice per line, so one long paragraph is
// quadratic (a 500 KB pasted log took 8.3 s, 16 KB already 0.17–0.3 s), and loading it cost ~200 ms.

/** BOM dropped, CRLF and lone CR made LF: every reader starts from this. */
export function normalizeNewlines(text: string): string {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return source.includes("\r") ? source.replace(/\r\n?/g, "\n") : source; // the check is a fast scan; most files have no CR
}

// ---------------------------------------------------------------------------------------------- fences

/** An open fenced code block: its indent (content is de-indented by as much), marker character and length. */
export interface Fence {
  readonly indent: number;
  readonly char: string;
  readonly length: number;
}

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

/** The fence `line` opens (``` or ~~~, 3+, up to 3 spaces in), if any. */
export function opensFence(line: string): Fence | undefined {
  const match = FENCE_OPEN.exec(line);
  if (!match) return undefined;
  const [, indent = "", marker = "", info = ""] = match;
  if (marker[0] === "`" && info.includes("`")) return undefined; // CommonMark: a backtick fence's info has no backtick
  return { indent: indent.length, char: marker[0] ?? "`", length: marker.length };
}

export function closesFence(line: string, fence: Fence): boolean {
  const marker = FENCE_CLOSE.exec(line)?.[1];
  return marker !== undefined && marker[0] === fence.char && marker.length >= fence.length;
}

/** Calls `visit` for each line of `text` outside fenced code (fence lines skipped too), with its offsets. */
export function eachLineOutsideFences(text: string, visit: (line: string, start: number, next: number) => void): void {
  let fence: Fence | undefined;
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(start, end);
    if (fence) {
      if (closesFence(line, fence)) fence = undefined;
    } else {
      fence = opensFence(line);
      if (!fence) visit(line, start, end + 1);
    }
    start = end + 1;
  }
}

/** The lines of a Markdown fragment that are not inside fenced code. */
export function outsideFences(markdown: string): string[] {
  const lines: string[] = [];
  eachLineOutsideFences(markdown, (line) => lines.push(line));
  return lines;
}

/** The contents of the fenced code blocks of a Markdown fragment; an unclosed fence runs to the end. */
export function fencedBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  let fence: Fence | undefined;
  let current: string[] = [];
  for (const line of markdown.split("\n")) {
    if (!fence) {
      fence = opensFence(line);
      current = [];
    } else if (closesFence(line, fence)) {
      blocks.push(current.join("\n"));
      fence = undefined;
    } else {
      current.push(line);
    }
  }
  if (fence) blocks.push(current.join("\n"));
  return blocks;
}

/** The content of a text that is exactly one fenced block (how logs are pasted), else the text itself. */
export function unwrapFence(text: string): string {
  const lines = text.split("\n");
  const fence = opensFence(lines[0] ?? "");
  if (!fence || lines.length < 2 || !closesFence(lines[lines.length - 1] ?? "", fence)) return text;
  const inner = lines.slice(1, -1);
  if (inner.some((line) => closesFence(line, fence))) return text;
  return inner.map((line) => dedent(line, fence.indent)).join("\n");
}

// ---------------------------------------------------------------------------------------------- sections

const ATX_HEADING = /^ {0,3}(#{1,6})(?=[ \t]|$)/;

/** An ATX heading line's level and title (closing `#` run dropped); undefined for any other line. */
export function atxHeading(line: string): { level: number; title: string } | undefined {
  const match = ATX_HEADING.exec(line);
  if (!match) return undefined;
  let title = line.slice(match[0].length).trim();
  const closing = /(?:^|[ \t])#+$/.exec(title);
  if (closing) title = title.slice(0, closing.index).trim();
  return { level: match[1]?.length ?? 0, title };
}

/** A heading as a lookup key: lower case, emphasis, colons and `(notes)` dropped. */
export function headingKey(title: string): string {
  return title.toLowerCase().replace(/\([^)]*\)/g, " ").replace(/[*_`:]/g, " ").replace(/\s+/g, " ").trim();
}

/** A heading outside fenced code, with the offsets of its line and of the line after it. */
export interface HeadingLine {
  readonly level: number;
  readonly title: string;
  readonly start: number;
  readonly next: number;
}

export function headingLines(markdown: string): HeadingLine[] {
  const found: HeadingLine[] = [];
  eachLineOutsideFences(markdown, (line, start, next) => {
    const heading = atxHeading(line);
    if (heading) found.push({ ...heading, start, next: Math.min(next, markdown.length) });
  });
  return found;
}

export interface MarkdownSection {
  readonly level: number;
  readonly title: string;
  /** The lines under the heading up to the next heading of the same or a higher level. */
  readonly body: string;
  /** The lines under the heading up to the next heading of any level. */
  readonly intro: string;
}

/** Text before the first heading, and every ATX heading (outside fenced code) with its body. */
export function outlineMarkdown(markdown: string): { lead: string; sections: MarkdownSection[] } {
  const headings = headingLines(markdown);
  const sections = headings.map((heading, at) => {
    const end = headings.slice(at + 1).find((other) => other.level <= heading.level);
    return {
      level: heading.level,
      title: heading.title,
      body: between(markdown, heading.next, end?.start),
      intro: between(markdown, heading.next, headings[at + 1]?.start),
    };
  });
  return { lead: between(markdown, 0, headings[0]?.start), sections };
}

/**
 * The sections that start at headings of exactly `level` (headings of other levels stay in the
 * text), and the text before the first. A request's `##` sections: a `# Title` or `### path` is text.
 */
export function sectionsAtLevel(markdown: string, level: number): { lead: string; sections: { title: string; body: string }[] } {
  const headings = headingLines(markdown).filter((heading) => heading.level === level);
  const sections = headings.map((heading, at) => ({ title: heading.title, body: between(markdown, heading.next, headings[at + 1]?.start) }));
  return { lead: between(markdown, 0, headings[0]?.start), sections };
}

// The lines from `from` up to the line starting at `to` (or the end), without the newline before it.
function between(text: string, from: number, to: number | undefined): string {
  if (to === undefined) return text.slice(from);
  return text.slice(from, Math.max(from, to - 1));
}

// ---------------------------------------------------------------------------------------------- list items

const ITEM_MARKER = /^( {0,3})([-*+]|\d{1,9}[.)])(?=[ \t]|$)/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const BLOCK_QUOTE = /^ {0,3}>/;
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/;

/** The text after a list marker (`-`, `*`, `+`, `1.`, `1)`), or undefined when `line` is not a list item. */
export function afterListMarker(line: string): string | undefined {
  const match = /^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)/.exec(line);
  return match ? line.slice(match[0].length) : undefined;
}

/**
 * The first line of each list item, at any depth, outside fenced code, task boxes dropped: how task
 * packets and route decisions list commands and paths, one per line.
 */
export function listItemLines(markdown: string): string[] {
  const items: string[] = [];
  for (const line of outsideFences(markdown)) {
    const item = /^\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?(.*)$/.exec(line);
    if (item && item[1]!.trim() !== "") items.push(item[1]!.trim());
  }
  return items;
}

/**
 * The items of the top-level lists of a fragment, each as its Markdown source without the marker,
 * continuation lines de-indented to the item's content column (nested lists stay inside their item).
 * Outside lists a paragraph gives one item per line, a fenced block or block quote one item, and a
 * thematic break none: how a request's `## Attempted Fixes` and `## Questions` are read.
 */
export function listItems(markdown: string): string[] {
  const lines = markdown.split("\n");
  const items: string[] = [];
  let at = 0;
  let paragraph: { line: number; item: number } | undefined; // the open paragraph: its first line and item
  while (at < lines.length) {
    const line = lines[at]!;
    const fence = opensFence(line);
    const marker = ITEM_MARKER.exec(line);
    const open = paragraph;
    paragraph = undefined;
    if (line.trim() === "") {
      at++;
    } else if (open && SETEXT_UNDERLINE.test(line)) {
      // `Title` over `===` or `---` is a heading: one item, as any block other than a paragraph.
      items.splice(open.item, Infinity, lines.slice(open.line, at + 1).join("\n").trimStart());
      at++;
    } else if (THEMATIC_BREAK.test(line)) {
      at++;
    } else if (fence) {
      const end = fenceEnd(lines, at, fence);
      items.push(lines.slice(at, end).join("\n").trimStart());
      at = end;
    } else if (marker && (!open || interruptsParagraph(line, marker))) {
      const item = readItem(lines, at, marker);
      items.push(item.text);
      at = item.end;
    } else if (!open && indentOf(line) >= 4) {
      let end = at + 1; // indented code runs over blank lines to the last indented line
      for (let next = end; next < lines.length && (lines[next]!.trim() === "" || indentOf(lines[next]!) >= 4); next++) {
        if (lines[next]!.trim() !== "") end = next + 1;
      }
      items.push(lines.slice(at, end).join("\n"));
      at = end;
    } else if (BLOCK_QUOTE.test(line)) {
      let end = at + 1;
      let lazy = isParagraphText(line);
      while (end < lines.length && (BLOCK_QUOTE.test(lines[end]!) || (lazy && isParagraphText(lines[end]!)))) {
        lazy = isParagraphText(lines[end]!);
        end++;
      }
      items.push(lines.slice(at, end).join("\n").trimStart());
      at = end;
    } else {
      const heading = atxHeading(line) !== undefined;
      if (!heading) paragraph = open ?? { line: at, item: items.length };
      items.push(line.trim());
      at++;
    }
  }
  return items;
}

// CommonMark: a list item interrupts a paragraph only when it has text and, if ordered, starts at 1.
function interruptsParagraph(line: string, marker: RegExpExecArray): boolean {
  const rest = line.slice(marker[0].length).trim();
  return rest !== "" && (/^[-*+]$/.test(marker[2]!) || /^0*1[.)]$/.test(marker[2]!));
}

// A line that starts a block other than a paragraph, so it cannot be a lazy continuation line.
function startsBlock(line: string): boolean {
  return opensFence(line) !== undefined || THEMATIC_BREAK.test(line) || ITEM_MARKER.test(line) || atxHeading(line) !== undefined || BLOCK_QUOTE.test(line);
}

// Whether a line is paragraph text once its list markers and `>` are read, so the next line may continue it
// lazily (CommonMark's lazy continuation); an empty item, code, a heading or a fence is not.
function isParagraphText(line: string): boolean {
  let rest = line;
  for (;;) {
    if (rest.trim() === "" || indentOf(rest) >= 4 || THEMATIC_BREAK.test(rest)) return false;
    const marker = ITEM_MARKER.exec(rest);
    const quote = /^ {0,3}> ?/.exec(rest);
    if (marker) {
      const after = rest.slice(marker[0].length);
      const spaces = /^[ \t]*/.exec(after)![0].length;
      if (spaces > 4) return false;
      rest = after.slice(spaces);
    } else if (quote) {
      rest = rest.slice(quote[0].length);
    } else {
      return !startsBlock(rest);
    }
  }
}

// The index after a fenced block opened at `at`: after its closing line, or the end.
function fenceEnd(lines: readonly string[], at: number, fence: Fence): number {
  let end = at + 1;
  while (end < lines.length && !closesFence(lines[end]!, fence)) end++;
  return Math.min(end + 1, lines.length);
}

// One list item from its marker line: indented lines, blank lines followed by indented lines, and lazy
// paragraph continuations belong to it. Returns its text and the index of the first line after it.
function readItem(lines: readonly string[], at: number, marker: RegExpExecArray): { text: string; end: number } {
  const afterMarker = lines[at]!.slice(marker[0].length);
  const blankStart = afterMarker.trim() === "";
  const lead = /^[ \t]*/.exec(afterMarker)![0];
  const spaces = indentOf(lead, marker[0].length);
  // 1–4 columns after the marker set the content column; an empty first line or 5+ (indented code) mean one.
  const gap = blankStart || spaces > 4 ? 1 : spaces;
  const column = marker[0].length + gap;
  if (blankStart && (lines[at + 1] ?? "").trim() === "") return { text: "", end: at + 1 }; // at most one blank line starts an item
  const first = blankStart ? "" : spaces > 4 ? afterMarker.replace(/^ /, "") : afterMarker.slice(lead.length);
  const raw = [first]; // the item's lines, continuation lines not yet de-indented
  let fence = opensFence(first);
  let lazyOk = isParagraphText(first);
  let end = at + 1;
  let pendingBlank = 0;
  while (end < lines.length) {
    const line = lines[end]!;
    if (line.trim() === "" && !fence) {
      pendingBlank++;
      lazyOk = false;
      end++;
      continue;
    }
    const indented = indentOf(line) >= column;
    if (fence) {
      if (!indented && line.trim() !== "") break; // the item ends, and the fence with it
      if (closesFence(dedent(line, column), fence)) fence = undefined;
      raw.push(line);
    } else if (indented) {
      const inner = dedent(line, column);
      for (; pendingBlank > 0; pendingBlank--) raw.push("");
      raw.push(line);
      fence = opensFence(inner);
      lazyOk = isParagraphText(inner);
    } else if (lazyOk && pendingBlank === 0 && !startsBlock(line)) {
      raw.push(line);
    } else {
      break;
    }
    pendingBlank = 0;
    end++;
  }
  // From the item's first content on, continuation lines de-indented to the column where that content starts.
  const [head = "", ...rest] = blankStart ? raw.slice(1) : raw;
  const indent = blankStart ? indentOf(head) : column;
  const text = [blankStart ? head.trimStart() : head, ...rest.map((line) => dedent(line, indent))].join("\n");
  return { text, end: end - pendingBlank };
}

/** The columns of `line`'s leading whitespace, tabs to the next multiple of 4 from column `from`. */
function indentOf(line: string, from = 0): number {
  let columns = from;
  for (let at = 0; at < line.length; at++) {
    const char = line.charCodeAt(at);
    if (char === 0x20) columns++;
    else if (char === 0x09) columns += 4 - (columns % 4);
    else break;
  }
  return columns - from;
}

/** `line` without up to `columns` leading spaces. */
function dedent(line: string, columns: number): string {
  let cut = 0;
  while (cut < columns && line[cut] === " ") cut++;
  return line.slice(cut);
}

// ---------------------------------------------------------------------------------------------- values

/** `code` → code: a whole value wrapped in one code span loses its backticks; anything else is only trimmed. */
export function stripBackticks(text: string): string {
  const trimmed = text.trim();
  const match = /^(`+)\s?(.*?)\s?\1$/.exec(trimmed);
  return match ? match[2]! : trimmed;
}
