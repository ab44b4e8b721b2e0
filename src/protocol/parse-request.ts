// Parses a CODEX_DELEGATION_REQUEST_<id>.md (PROTOCOL.md §2) into a DelegationRequest. Pure, never throws:
// a request file is outside input, so every problem becomes `{ ok: false, reason }`.
//
// Why sections are found by a line scanner and not by remark: micromark merges inline `data` events
// with Array#splice per line, which is quadratic in the length of one paragraph (a 500 KB pasted log
// without a fence took ~8 s). The scanner is linear and follows CommonMark where sections need it
// (ATX headings, fenced code); remark parses the inside of the list sections, which are small.
import type { ListItem, Root, RootContent } from "mdast";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { readFrontMatter, type FrontMatterProblem } from "./front-matter.js";
import { cleanFiles, cleanList, cleanText, FrontMatter, type DelegationRequest } from "./request.js";

export type ParseOutcome = { ok: true; request: DelegationRequest } | { ok: false; reason: string };

/** What the Markdown body says before the front matter is merged in; a field is undefined when no section gives it. */
export interface RequestSections {
  /** Text before the first `##` heading, `#` title lines left out. */
  preamble: string;
  issue?: string;
  context?: string;
  errorLogs?: string;
  attemptedFixes?: string[];
  files?: string[];
  questions?: string[];
  extraSections: { title: string; body: string }[];
}

export const NO_ISSUE_REASON = "no issue: add an `## Issue` section or `issue:` in the front matter";

export function parseRequest(text: string): ParseOutcome {
  try {
    return parseOrFail(text);
  } catch (error) {
    // Nothing below should throw; this keeps one odd file from stopping the daemon if something does.
    return { ok: false, reason: `request could not be parsed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function parseOrFail(text: string): ParseOutcome {
  if (text.includes("\u0000")) return fail("request is binary (it contains NUL bytes), not Markdown text");
  const source = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  if (source.trim() === "") return fail("request is empty");

  const split = readFrontMatter(source);
  if (!split.ok) return fail(FRONT_MATTER_REASONS[split.problem](split.detail));
  const checked = FrontMatter.safeParse(split.data);
  if (!checked.success) {
    const issues = checked.error.issues.map((issue) => `\`${issue.path.join(".")}\` ${issue.message}`);
    return fail(`front matter: ${issues.join("; ")}`);
  }
  const fm = checked.data;
  const sections = parseSections(split.body);

  const extraSections = [...sections.extraSections];
  let issue = fm.issue || sections.issue || "";
  if (issue === "") issue = sections.preamble;
  else if (sections.preamble !== "") extraSections.unshift({ title: "Preamble", body: sections.preamble });
  if (issue === "") return fail(NO_ISSUE_REASON);

  const request: DelegationRequest = {
    kind: fm.kind ?? "analysis",
    issue,
    context: fm.context || sections.context || "",
    errorLogs: fm.logs || sections.errorLogs || "",
    attemptedFixes: fm.attempted_fixes?.length ? fm.attempted_fixes : (sections.attemptedFixes ?? []),
    files: fm.files?.length ? fm.files : (sections.files ?? []),
    questions: fm.questions?.length ? fm.questions : (sections.questions ?? []),
    extraSections,
    frontMatter: split.data,
  };
  if (fm.model !== undefined) request.model = fm.model;
  if (fm.requested_by) request.requestedBy = fm.requested_by;
  return { ok: true, request };
}

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

// ---------------------------------------------------------------------------------------------- front matter

const FRONT_MATTER_REASONS: Record<FrontMatterProblem, (detail: string) => string> = {
  unclosed: () => "front matter is not closed: add a `---` line after it",
  language: (language) => `front matter language \`${language}\` is not supported: use YAML between \`---\` lines`,
  yaml: (why) => `front matter is not valid YAML: ${why}`,
  "not-mapping": () => "front matter must be YAML `key: value` lines",
  "too-complex": () => "front matter is too large or too deeply nested (check YAML aliases)",
};

// ---------------------------------------------------------------------------------------------- sections

type Field = "issue" | "context" | "errorLogs" | "attemptedFixes" | "files" | "questions";

const HEADINGS: Record<string, Field> = {
  issue: "issue",
  "issue description": "issue",
  problem: "issue",
  context: "context",
  "full context": "context",
  background: "context",
  "error logs": "errorLogs",
  "error log": "errorLogs",
  logs: "errorLogs",
  log: "errorLogs",
  errors: "errorLogs",
  "attempted fixes": "attemptedFixes",
  "attempted fix": "attemptedFixes",
  "fixes attempted": "attemptedFixes",
  "fixes tried": "attemptedFixes",
  files: "files",
  "relevant files": "files",
  "file contents": "files",
  "files to analyze": "files",
  questions: "questions",
  question: "questions",
  "specific questions": "questions",
  "questions for codex": "questions",
};

/** The known field a `##` heading names: case, emphasis, a trailing colon and `(notes)` do not matter. */
function fieldOf(title: string): Field | undefined {
  if (title.length > 200) return undefined;
  const key = title
    .toLowerCase()
    .replace(/\([^)]*\)/g, " ")
    .replace(/[*_`:]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return Object.hasOwn(HEADINGS, key) ? HEADINGS[key] : undefined;
}

/** Splits a request's Markdown body into its `##` sections and reads the known ones. */
export function parseSections(markdown: string): RequestSections {
  const { preamble, sections } = outline(markdown.replace(/\r\n?/g, "\n"));
  const result: RequestSections = { preamble: cleanText(preamble), extraSections: [] };
  const joinText = (before: string | undefined, text: string) =>
    before === undefined || before === "" ? text : text === "" ? before : `${before}\n\n${text}`;
  for (const { title, body } of sections) {
    const field = fieldOf(title);
    switch (field) {
      case "issue":
      case "context":
        result[field] = joinText(result[field], cleanText(body));
        break;
      case "errorLogs":
        result.errorLogs = joinText(result.errorLogs, unwrapFence(cleanText(body)));
        break;
      case "attemptedFixes":
      case "questions":
        result[field] = [...(result[field] ?? []), ...listItems(body)];
        break;
      case "files":
        result.files = cleanFiles([...(result.files ?? []), ...fileList(body)]);
        break;
      default:
        result.extraSections.push({ title, body: cleanText(body) });
    }
  }
  return result;
}

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
const ATX_HEADING = /^ {0,3}(#{1,6})(?=[ \t]|$)/;
const LIST_MARKER = /^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)/;

interface Fence {
  indent: number;
  char: string;
  length: number;
}

function fenceOpen(line: string): Fence | undefined {
  const match = FENCE_OPEN.exec(line);
  if (!match) return undefined;
  const [, indent = "", marker = "", info = ""] = match;
  if (marker[0] === "`" && info.includes("`")) return undefined; // CommonMark: not a fence
  return { indent: indent.length, char: marker[0] ?? "`", length: marker.length };
}

function closesFence(line: string, fence: Fence): boolean {
  const marker = FENCE_CLOSE.exec(line)?.[1];
  return marker !== undefined && marker[0] === fence.char && marker.length >= fence.length;
}

function atxHeading(line: string): { depth: number; title: string } | undefined {
  const match = ATX_HEADING.exec(line);
  if (!match) return undefined;
  let title = line.slice(match[0].length).trim();
  const closing = /(?:^|[ \t])#+$/.exec(title); // an optional closing `##` run
  if (closing) title = title.slice(0, closing.index).trim();
  return { depth: match[1]?.length ?? 0, title };
}

/** Calls `visit` for each line of `text` that is outside fenced code, with its offsets; fences are skipped. */
function eachLine(text: string, visit: (line: string, start: number, next: number) => void): void {
  let fence: Fence | undefined;
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline;
    const next = end + 1;
    const line = text.slice(start, end);
    if (fence) {
      if (closesFence(line, fence)) fence = undefined;
    } else {
      fence = fenceOpen(line);
      if (!fence) visit(line, start, next);
    }
    start = next;
  }
}

/** The top-level `##` sections of a body (ATX headings outside fenced code), as source slices. */
function outline(text: string): { preamble: string; sections: { title: string; body: string }[] } {
  const sections: { title: string; body: string }[] = [];
  const preamble: string[] = [];
  let open: { title: string; start: number } | undefined;
  let preambleFrom = 0;
  eachLine(text, (line, start, next) => {
    const heading = atxHeading(line);
    if (heading?.depth === 2) {
      if (open) sections.push({ title: open.title, body: text.slice(open.start, start) });
      else preamble.push(text.slice(preambleFrom, start));
      open = { title: heading.title, start: Math.min(next, text.length) };
    } else if (heading?.depth === 1 && !open) {
      preamble.push(text.slice(preambleFrom, start)); // a `# Title` is not part of the issue
      preambleFrom = Math.min(next, text.length);
    }
  });
  if (open) sections.push({ title: open.title, body: text.slice(open.start) });
  else preamble.push(text.slice(preambleFrom));
  return { preamble: preamble.join(""), sections };
}

/** The content of a section that is exactly one fenced code block (how logs are written), else the text. */
function unwrapFence(text: string): string {
  const lines = text.split("\n");
  const fence = fenceOpen(lines[0] ?? "");
  if (!fence || lines.length < 2 || !closesFence(lines[lines.length - 1] ?? "", fence)) return text;
  const inner = lines.slice(1, -1);
  if (inner.some((line) => closesFence(line, fence))) return text;
  return cleanText(inner.map((line) => dedent(line, fence.indent)).join("\n"));
}

function dedent(line: string, columns: number): string {
  let cut = 0;
  while (cut < columns && line[cut] === " ") cut++;
  return line.slice(cut);
}

function stripBackticks(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === "`") start++;
  while (end > start && text[end - 1] === "`") end--;
  return text.slice(start, end).trim();
}

/**
 * `## Files`: list items or plain lines, backticks stripped. A previous embed leaves `### path` headings with
 * fenced contents: the headings are collected, the contents and any notes under them are not.
 */
function fileList(body: string): string[] {
  const files: string[] = [];
  let embedded = false;
  eachLine(body, (line) => {
    const heading = atxHeading(line);
    if (heading) {
      if (heading.depth >= 3) files.push(stripBackticks(heading.title));
      embedded = true;
      return;
    }
    const marker = LIST_MARKER.exec(line);
    if (marker) files.push(stripBackticks(line.slice(marker[0].length).trim()));
    else if (!embedded) files.push(stripBackticks(line.trim()));
  });
  return files;
}

// Inline syntax does not change block structure and item texts are source slices, so the list parser skips
// it: fewer tokens, and none of micromark's per-line event merging on long paragraphs.
const INLINE_CONSTRUCTS = [
  "attention",
  "autolink",
  "characterEscape",
  "characterReference",
  "codeText",
  "hardBreakEscape",
  "htmlText",
  "labelEnd",
  "labelStartImage",
  "labelStartLink",
];
const blockParser = unified().use(remarkParse).data("micromarkExtensions", [{ disable: { null: INLINE_CONSTRUCTS } }]);

/**
 * Above this size a list section is read line by line: even without inline constructs micromark is quadratic
 * in one paragraph's length (64 KB of `*`/`_`/`[` text took ~1.2 s). Real lists of fixes or questions are a few KB.
 */
const LIST_PARSE_LIMIT = 16 * 1024;

/** `## Attempted Fixes` / `## Questions`: the items of its lists; other paragraphs give one item per line. */
function listItems(body: string): string[] {
  if (body.length > LIST_PARSE_LIMIT) return cleanList(body.split("\n").map((line) => line.replace(LIST_MARKER, "")));
  const tree: Root = blockParser.parse(body);
  const items: string[] = [];
  for (const node of tree.children) {
    if (node.type === "list") items.push(...node.children.map((item) => itemText(item, body)));
    else if (node.type === "paragraph") items.push(...sliceOf(node, body).split("\n").map((line) => line.trim()));
    else if (node.type !== "thematicBreak") items.push(sliceOf(node, body));
  }
  return cleanList(items);
}

function sliceOf(node: RootContent, source: string): string {
  return source.slice(node.position?.start.offset ?? 0, node.position?.end.offset ?? 0);
}

/** An item's Markdown source without its marker, continuation lines de-indented to the item's content column. */
function itemText(item: ListItem, source: string): string {
  const first = item.children[0];
  const last = item.children[item.children.length - 1];
  if (!first?.position || !last?.position) return "";
  const indent = first.position.start.column - 1;
  const text = source.slice(first.position.start.offset, last.position.end.offset);
  return text
    .split("\n")
    .map((line, index) => (index === 0 ? line : dedent(line, indent)))
    .join("\n");
}
