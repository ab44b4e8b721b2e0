// Parses progress/TASK_PACKET.md (PROTOCOL.md §5): a title, a description and the verification
// commands a patch must pass. Pure and total: the file is the Builder's free-form Markdown, so
// what cannot be read becomes a `problems` entry, never an exception.
import { stripControl } from "../util/control-chars.js";
import { frontMatterString, readFrontMatterTolerantly } from "./front-matter.js";
import { fencedBlocks, headingKey, listItemLines, outlineMarkdown, stripBackticks, type MarkdownSection } from "./markdown-outline.js";

/** What a patch takes from the task packet. */
export interface TaskPacket {
  readonly title: string;
  readonly description: string;
  /** Verification commands, one line each, in file order, without repeats. */
  readonly verification: readonly string[];
  /** `plan: true` in the front matter: too big for one patch, so the daemon plans it instead of diagnosing it. */
  readonly plan: boolean;
  readonly raw: string;
  /** Why part of the file was ignored (bad front matter, a key of the wrong type). */
  readonly problems: readonly string[];
}

export const UNTITLED_TASK = "Untitled task";

export function parseTaskPacket(text: string): TaskPacket {
  const problems: string[] = [];
  const { data, body } = readFrontMatterTolerantly(text, problems);
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
  const plan = data["plan"] === true || (typeof data["plan"] === "string" && /^(?:true|yes)$/i.test(data["plan"].trim()));
  return { title, description, verification, plan, raw: text, problems };
}

const DESCRIPTION_HEADINGS = new Set(["description", "task", "task description"]);
const VERIFICATION_HEADINGS = new Set(["verification", "verification commands", "verification command", "verify"]);

// ---------------------------------------------------------------------------------------------- verification

/** Commands in a section: the lines of its fenced blocks if it has any, else its list items. */
function commandsOf(body: string): string[] {
  const blocks = fencedBlocks(body);
  const lines = blocks.length > 0 ? blocks.flatMap((block) => block.split("\n")) : listItemLines(body).map(stripBackticks);
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

// ---------------------------------------------------------------------------------------------- text

// Terminal escapes and controls other than tab and newline have no place in a command or a title.
function stripControls(text: string): string {
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
