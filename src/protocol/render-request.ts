// Renders the request Markdown that `codex-relay delegate` writes (PROTOCOL.md §2). Pure.
// Sections are for people; a field Markdown might not carry exactly (a `## ` line in an issue, a
// fence, a list item that looks like a marker, …) also goes into the front matter, which wins when
// the daemon parses the request. Deciding that by rule rather than by parsing the output back keeps
// YAML and zod out of `delegate`'s start-up (it must stay well under 120 ms).
import { RelayError } from "../errors.js";
import { fenceFor } from "./code-fence.js";
import {
  cleanFiles,
  cleanList,
  cleanText,
  FRONT_MATTER_KEYS,
  MODEL_PATTERN,
  REQUEST_KINDS,
  type DelegationRequest,
  type RequestKind,
} from "./request-text.js";

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
  const forced = new Set(FIELDS.filter(({ field }) => !carriedByMarkdown(field, body[field])).map(({ field }) => field));
  return compose(frontMatterOf(fields), body, forced);
}

// Conservative rules for what the section parser gives back unchanged; anything else is forced
// into the front matter. tests/protocol/render-request.test.ts round-trips random text to hold them.
const BLOCK_START = /^ {0,3}(?:#|`{3,}|~{3,})/m;
const ITEM_START = /^(?:[-+*>#|<`~]|\d+[.)](?:\s|$))/;

function carriedByMarkdown(field: Field, value: string | string[]): boolean {
  if (value.length === 0) return true;
  if (typeof value === "string") {
    if (value.includes("\r")) return false;
    return field === "errorLogs" || !BLOCK_START.test(value); // logs are fenced, so any line is safe
  }
  if (field === "files") return value.every((file) => !/[`\r\n]/.test(file));
  return value.every((item) => !/[\r\n]/.test(item) && item === item.trim() && !ITEM_START.test(item));
}

function frontMatterOf(fields: RenderRequestFields): Record<string, string> {
  const kind = fields.kind ?? "analysis";
  if (!REQUEST_KINDS.includes(kind)) throw invalid(`kind must be one of ${REQUEST_KINDS.join(", ")}, got ${String(fields.kind)}`);
  const head: Record<string, string> = { kind };
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
  return `${frontMatterYaml(data)}${parts.join("\n\n")}\n`;
}

/** A Markdown list item; continuation lines are indented to the item's content column. */
function listItem(text: string): string {
  return `- ${text.replace(/\n(?=.)/g, "\n  ")}`;
}

/** A fenced block that nothing inside can close: the fence is longer than any backtick run in the text. */
function fenced(text: string): string {
  const fence = fenceFor(text);
  return `${fence}\n${text}\n${fence}`;
}

// JSON strings and arrays of them are valid YAML flow scalars and sequences: no YAML library needed.
// Simple words and paths stay plain, for people.
function frontMatterYaml(data: Record<string, unknown>): string {
  const yaml = (value: unknown) => (typeof value === "string" && PLAIN_YAML.test(value) && !YAML_WORDS.test(value) ? value : JSON.stringify(value));
  const lines = Object.entries(data).map(([key, value]) => `${key}: ${yaml(value)}`);
  return `---\n${lines.join("\n")}\n---\n\n`;
}

const PLAIN_YAML = /^[A-Za-z/][A-Za-z0-9._/-]*$/;
const YAML_WORDS = /^(?:true|false|null|yes|no|on|off|y|n)$/i;

const invalid = (message: string) => new RelayError("invalid_request", message);
