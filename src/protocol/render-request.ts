// Renders the request Markdown that `codex-relay delegate` writes (PROTOCOL.md §2). Pure.
// Sections are for people; whatever Markdown cannot carry exactly (a `## ` line in an issue, an unclosed
// fence, …) also goes into the front matter, which wins when the daemon parses the request back.
import matter from "gray-matter";
import { RelayError } from "../errors.js";
import { parseRequest } from "./parse-request.js";
import {
  cleanFiles,
  cleanList,
  cleanText,
  FRONT_MATTER_KEYS,
  MODEL_PATTERN,
  RequestKind,
  type DelegationRequest,
} from "./request.js";

export interface RenderRequestFields {
  kind?: RequestKind;
  issue: string;
  context?: string;
  errorLogs?: string;
  attemptedFixes?: string[];
  files?: string[];
  questions?: string[];
  model?: string;
  requestedBy?: string;
  /** Extra front-matter strings, e.g. `transcript`. */
  extra?: Record<string, string>;
  createdAt: Date;
}

const TITLE = "# Codex Delegation Request";

// Each body field, its `##` heading and the front-matter key that carries it when Markdown cannot.
const FIELDS = [
  { field: "issue", heading: "Issue", key: "issue" },
  { field: "context", heading: "Context", key: "context" },
  { field: "errorLogs", heading: "Error Logs", key: "logs" },
  { field: "attemptedFixes", heading: "Attempted Fixes", key: "attempted_fixes" },
  { field: "files", heading: "Files", key: "files" },
  { field: "questions", heading: "Questions", key: "questions" },
] as const;
type Field = (typeof FIELDS)[number]["field"];
type Body = Pick<DelegationRequest, Field>;

// js-yaml options passed through gray-matter: no folding of long lines, no anchors.
const YAML_OPTIONS = { lineWidth: -1, noRefs: true };

export function renderRequest(fields: RenderRequestFields): string {
  const body: Body = {
    issue: cleanText(fields.issue),
    context: cleanText(fields.context ?? ""),
    errorLogs: cleanText(fields.errorLogs ?? ""),
    attemptedFixes: cleanList(fields.attemptedFixes ?? []),
    files: cleanFiles(fields.files ?? []),
    questions: cleanList(fields.questions ?? []),
  };
  if (body.issue === "") throw invalid("the issue is empty: say what Codex should look at");
  const head = frontMatterOf(fields);

  // Render, parse back, and move every field that did not survive into the front matter; each round moves at
  // least one field, so this ends.
  const forced = new Set<Field>();
  for (let round = 0; round <= FIELDS.length; round++) {
    const text = compose(head, body, forced);
    const parsed = parseRequest(text);
    const lost = FIELDS.filter(({ field }) => !forced.has(field) && !(parsed.ok && same(parsed.request[field], body[field])));
    if (parsed.ok && lost.length === 0 && parsed.request.extraSections.length === 0) {
      checkFrontMatter(parsed.request, head);
      return text;
    }
    const toForce = lost.length > 0 ? lost : FIELDS.filter(({ field }) => !forced.has(field));
    if (toForce.length === 0) break;
    for (const { field } of toForce) forced.add(field);
  }
  throw new RelayError("internal_error", "the rendered request does not parse back to the same fields");
}

function frontMatterOf(fields: RenderRequestFields): Record<string, string> {
  const kind = RequestKind.safeParse(fields.kind ?? "analysis");
  if (!kind.success) throw invalid(`kind must be one of ${RequestKind.options.join(", ")}, got ${String(fields.kind)}`);
  const head: Record<string, string> = { kind: kind.data };
  if (fields.model !== undefined) {
    if (!MODEL_PATTERN.test(fields.model)) {
      throw invalid(`model must be 1–100 letters, digits or . _ : / -, got ${JSON.stringify(fields.model)}`);
    }
    head.model = fields.model;
  }
  const requestedBy = cleanText(fields.requestedBy ?? "");
  if (requestedBy !== "") head.requested_by = requestedBy;
  if (Number.isNaN(fields.createdAt.getTime())) throw invalid("createdAt is not a valid date");
  head.created_at = fields.createdAt.toISOString();
  for (const [key, value] of Object.entries(fields.extra ?? {})) {
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(key) || key in head || FRONT_MATTER_KEYS.includes(key)) {
      throw invalid(`extra front-matter key ${JSON.stringify(key)} is not allowed (reserved or not a plain name)`);
    }
    head[key] = value;
  }
  return head;
}

function compose(head: Record<string, string>, body: Body, forced: ReadonlySet<Field>): string {
  const data: Record<string, unknown> = { ...head };
  const parts = [TITLE];
  for (const { field, heading, key } of FIELDS) {
    const value = body[field];
    if (value.length === 0) continue;
    if (forced.has(field)) {
      data[key] = value;
      parts.push(`## ${heading}`, fenced(typeof value === "string" ? value : value.map(listItem).join("\n")));
    } else if (field === "errorLogs") {
      parts.push(`## ${heading}`, fenced(value as string));
    } else if (field === "files") {
      parts.push(`## ${heading}`, (value as string[]).map((file) => `- ${file.includes("`") ? file : `\`${file}\``}`).join("\n"));
    } else {
      parts.push(`## ${heading}`, typeof value === "string" ? value : value.map(listItem).join("\n"));
    }
  }
  return matter.stringify("", data, YAML_OPTIONS as object) + parts.join("\n\n") + "\n";
}

/** A Markdown list item; continuation lines are indented to the item's content column. */
function listItem(text: string): string {
  return `- ${text.replace(/\n(?=.)/g, "\n  ")}`;
}

/** A fenced block that nothing inside can close: the fence is longer than any backtick run in the text. */
function fenced(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}\n${text}\n${fence}`;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function checkFrontMatter(request: DelegationRequest, head: Record<string, string>): void {
  const kept = Object.entries(head).every(([key, value]) => request.frontMatter[key] === value);
  if (!kept || request.kind !== head.kind || request.model !== head.model || request.requestedBy !== head.requested_by) {
    throw new RelayError("internal_error", "the rendered front matter does not parse back to the same values");
  }
}

const invalid = (message: string) => new RelayError("invalid_request", message);
