// Parses a CODEX_DELEGATION_REQUEST_<id>.md (PROTOCOL.md §2) into a DelegationRequest. Pure, never throws:
// a request file is outside input, so every problem becomes `{ ok: false, reason }`. The Markdown is read
// with markdown-outline.ts, the reader every protocol file shares.
import { readFrontMatter } from "./front-matter.js";
import {
  afterListMarker,
  atxHeading,
  eachLineOutsideFences,
  headingKey,
  headingLines,
  listItems,
  sectionsAtLevel,
  stripBackticks,
  unwrapFence,
} from "./markdown-outline.js";
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
  if (text.trim() === "") return fail("request is empty"); // trim() also drops a BOM and CRs

  const split = readFrontMatter(text);
  if (!split.ok) return fail(split.message);
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
  if (fm.replay_of) request.replayOf = fm.replay_of;
  return { ok: true, request };
}

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

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
  const key = headingKey(title);
  return Object.hasOwn(HEADINGS, key) ? HEADINGS[key] : undefined;
}

/** Splits a request's Markdown body into its `##` sections and reads the known ones. */
export function parseSections(markdown: string): RequestSections {
  const { lead, sections } = sectionsAtLevel(markdown, 2);
  const result: RequestSections = { preamble: cleanText(withoutTitles(lead)), extraSections: [] };
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
        result.errorLogs = joinText(result.errorLogs, cleanText(unwrapFence(cleanText(body))));
        break;
      case "attemptedFixes":
      case "questions":
        result[field] = [...(result[field] ?? []), ...cleanList(listItems(body))];
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

/** The text before the first `##` section without its `# Title` lines: a title is not part of the issue. */
function withoutTitles(lead: string): string {
  const parts: string[] = [];
  let from = 0;
  for (const heading of headingLines(lead)) {
    if (heading.level !== 1) continue;
    parts.push(lead.slice(from, heading.start));
    from = heading.next;
  }
  parts.push(lead.slice(from));
  return parts.join("");
}

/**
 * `## Files`: list items or plain lines, backticks stripped. A previous embed leaves `### path` headings with
 * fenced contents: the headings are collected, the contents and any notes under them are not.
 */
function fileList(body: string): string[] {
  const files: string[] = [];
  let embedded = false;
  eachLineOutsideFences(body, (line) => {
    const heading = atxHeading(line);
    if (heading) {
      if (heading.level >= 3) files.push(stripBackticks(heading.title));
      embedded = true;
      return;
    }
    const item = afterListMarker(line);
    if (item !== undefined) files.push(stripBackticks(item));
    else if (!embedded) files.push(stripBackticks(line));
  });
  return files;
}
