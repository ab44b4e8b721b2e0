// Parses progress/TASK_PACKET.md (PROTOCOL.md §5): a title, a description and the verification
// commands a patch must pass. Pure and total: the file is the Builder's free-form Markdown, so
// what cannot be read becomes a `problems` entry, never an exception.
//
// Also home of the two small readers the patch files share (front matter, section outline), kept
// to a line scanner like parse-request.ts: only ATX headings and fenced code matter here.
import { readFrontMatter, type FrontMatterProblem } from "./front-matter.js";
import { stripControl } from "../util/control-chars.js";

/** What a patch takes from the task packet. */
export interface TaskPacket {
  readonly title: string;
  readonly description: string;
  /** Verification commands, one line each, in file order, without repeats. */
  readonly verification: readonly string[];
  readonly raw: string;
  /** Why part of the file was ignored (bad front matter, a key of the wrong type). */
  readonly problems: readonly string[];
}

export const UNTITLED_TASK = "Untitled task";

export function parseTaskPacket(text: string): TaskPacket {
  const problems: string[] = [];
  const { data, body } = readTolerantFrontMatter(text, problems);
  const outline = outlineMarkdown(body);

  const fmTitle = frontMatterString(data, "title", problems);
  const heading = outline.sections.find((section) => section.level === 1);
  const title = oneLine(fmTitle ?? heading?.title ?? "").replace(/^task(?:\s+packet)?\s*:\s*/i, "") || UNTITLED_TASK;

  const fmDescription = frontMatterString(data, "description", problems);
  const described = outline.sections.find((section) => section.level >= 2 && DESCRIPTION_HEADINGS.has(headingKey(section.title)));
  const description = cleanProse(fmDescription ?? (described ? described.body : preamble(outline)));

  let verification = frontMatterCommands(data, problems);
  if (verification.length === 0) {
    const sections = outline.sections.filter((section) => section.level >= 2 && VERIFICATION_HEADINGS.has(headingKey(section.title)));
    verification = unique(sections.flatMap((section) => commandsOf(section.body)));
  }
  return { title, description, verification, raw: text, problems };
}

const DESCRIPTION_HEADINGS = new Set(["description", "task", "task description"]);
const VERIFICATION_HEADINGS = new Set(["verification", "verification commands", "verification command", "verify"]);

// ---------------------------------------------------------------------------------------------- verification

/** Commands in a section: the lines of its fenced blocks if it has any, else its list items. */
function commandsOf(body: string): string[] {
  const blocks = fencedBlocks(body);
  const lines = blocks.length > 0 ? blocks.flatMap((block) => block.split("\n")) : listItems(body).map(stripBackticks);
  return lines.map(cleanCommand).filter((line): line is string => line !== null);
}

/** A command line as run: `$ ` prompt dropped; null for blank and `#` comment lines. */
export function cleanCommand(line: string): string | null {
  const command = stripControls(line).trim().replace(/^\$\s+/, "").trim();
  return command === "" || command.startsWith("#") ? null : command;
}

function frontMatterCommands(data: Record<string, unknown>, problems: string[]): string[] {
  const value = data["verification"];
  if (value === undefined || value === null) return [];
  const lines = typeof value === "string" ? value.split("\n") : Array.isArray(value) ? value : null;
  if (lines === null || lines.some((line) => typeof line !== "string")) {
    problems.push("front matter `verification` must be a command or a list of commands; it was ignored");
    return [];
  }
  return unique((lines as string[]).map((line) => cleanCommand(stripBackticks(line))).filter((line): line is string => line !== null));
}

// ---------------------------------------------------------------------------------------------- shared readers

const FRONT_MATTER_PROBLEMS: Record<FrontMatterProblem, (detail: string) => string> = {
  unclosed: () => "front matter is not closed (no `---` line after it); it was read as Markdown",
  language: (language) => `front matter language \`${oneLine(language)}\` is not supported (use YAML between \`---\` lines); it was ignored`,
  yaml: (why) => `front matter is not valid YAML (${why}); it was ignored`,
  "not-mapping": () => "front matter must be YAML `key: value` lines; it was ignored",
  "too-complex": () => "front matter is too large or too deeply nested (check YAML aliases); it was ignored",
};

/**
 * The YAML front matter (a plain object, `{}` when absent or unusable) and the Markdown after it,
 * with CRLF normalized. Problems are pushed to `problems`; non-YAML front matter is never evaluated.
 */
export function readTolerantFrontMatter(text: string, problems: string[]): { data: Record<string, unknown>; body: string } {
  const read = readFrontMatter(text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n"));
  if (read.ok) return read;
  problems.push(FRONT_MATTER_PROBLEMS[read.problem](read.detail));
  return { data: {}, body: read.body };
}

/** A string front-matter value (numbers are taken as text); undefined when absent or empty. */
export function frontMatterString(data: Record<string, unknown>, key: string, problems: string[]): string | undefined {
  if (!Object.hasOwn(data, key)) return undefined;
  const value = data[key];
  if (value === null || value === undefined) return undefined;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value !== "string") {
    problems.push(`front matter \`${key}\` must be text; it was ignored`);
    return undefined;
  }
  return value.trim() === "" ? undefined : value;
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
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const headings: { index: number; level: number; title: string }[] = [];
  let fence: string | null = null;
  lines.forEach((line, index) => {
    if (fence !== null) {
      if (closesFence(line, fence)) fence = null;
      return;
    }
    fence = opensFence(line);
    if (fence !== null) return;
    const heading = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (heading) headings.push({ index, level: heading[1]!.length, title: (heading[2] ?? "").trim() });
  });
  const sections = headings.map((heading, at) => {
    const next = headings.slice(at + 1).find((other) => other.level <= heading.level);
    const end = next?.index ?? lines.length;
    const introEnd = headings[at + 1]?.index ?? lines.length;
    return {
      level: heading.level,
      title: heading.title,
      body: lines.slice(heading.index + 1, end).join("\n"),
      intro: lines.slice(heading.index + 1, introEnd).join("\n"),
    };
  });
  return { lead: lines.slice(0, headings[0]?.index ?? lines.length).join("\n"), sections };
}

// CommonMark fences: ``` or ~~~ (3+), up to 3 spaces in; a backtick fence's info string has no backtick.
function opensFence(line: string): string | null {
  const match = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
  if (!match || (match[1]![0] === "`" && match[2]!.includes("`"))) return null;
  return match[1]!;
}

function closesFence(line: string, fence: string): boolean {
  const match = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
  return match !== null && match[1]![0] === fence[0] && match[1]!.length >= fence.length;
}

/** A heading as a lookup key: lower case, emphasis, colons and `(notes)` dropped. */
export function headingKey(title: string): string {
  return title.toLowerCase().replace(/\([^)]*\)/g, " ").replace(/[*_`:]/g, " ").replace(/\s+/g, " ").trim();
}

/** The contents of the fenced code blocks of a Markdown fragment. */
export function fencedBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  let fence: string | null = null;
  let current: string[] = [];
  for (const line of markdown.split("\n")) {
    if (fence === null) {
      fence = opensFence(line);
      current = [];
    } else if (closesFence(line, fence)) {
      blocks.push(current.join("\n"));
      fence = null;
    } else {
      current.push(line);
    }
  }
  if (fence !== null) blocks.push(current.join("\n")); // an unclosed fence runs to the end, as in CommonMark
  return blocks;
}

/** The lines of a Markdown fragment that are not inside fenced code (fence lines dropped too). */
export function outsideFences(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split("\n")) {
    if (fence !== null) {
      if (closesFence(line, fence)) fence = null;
      continue;
    }
    fence = opensFence(line);
    if (fence === null) lines.push(line);
  }
  return lines;
}

/** The first line of each list item (`-`, `*`, `+`, `1.`, `1)`; task boxes dropped), outside fenced code. */
export function listItems(markdown: string): string[] {
  const items: string[] = [];
  for (const line of outsideFences(markdown)) {
    const item = /^\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?(.*)$/.exec(line);
    if (item && item[1]!.trim() !== "") items.push(item[1]!.trim());
  }
  return items;
}

/** `code` → code, for a whole value wrapped in backticks. */
export function stripBackticks(text: string): string {
  const trimmed = text.trim();
  const match = /^(`+)\s?(.*?)\s?\1$/.exec(trimmed);
  return match ? match[2]! : trimmed;
}

// Terminal escapes and controls other than tab and newline have no place in a command or a title.
export function stripControls(text: string): string {
  return stripControl(text, /[\t\n]/);
}

function oneLine(text: string): string {
  return stripControls(text).replace(/\s+/g, " ").trim();
}

// The description text after the `# Title` line and before the next heading.
function preamble(outline: { lead: string; sections: MarkdownSection[] }): string {
  const first = outline.sections[0];
  return first?.level === 1 ? `${outline.lead}\n${first.intro}` : outline.lead;
}

// HTML comments are notes for readers of the file, not part of the task.
function cleanProse(text: string): string {
  return stripControls(text).replace(/<!--[\s\S]*?-->/g, "").replace(/[ \t]+$/gm, "").replace(/\n{3,}/g, "\n\n").trim();
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
