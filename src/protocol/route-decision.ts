// Parses progress/ROUTE_DECISION.md (PROTOCOL.md §5): the permission granted, who approved it, and
// the files Codex may change. Pure and total. This file is the approval, so the reading is strict
// where it matters: an unclear permission counts as none, and a path that could leave the
// workspace is dropped and named in `problems`.
import { stripControl } from "../util/control-chars.js";
import { frontMatterString, readFrontMatterTolerantly } from "./front-matter.js";
import { fencedBlocks, headingKey, listItemLines, outlineMarkdown, outsideFences, stripBackticks } from "./markdown-outline.js";

export type RoutePermission = "codex-ro" | "codex-rw";

export interface RouteDecision {
  readonly permission: RoutePermission | null;
  readonly approvedBy: string | null;
  /** Posix workspace-relative paths or globs; a `dir/` entry becomes `dir/**`. */
  readonly approvedFiles: readonly string[];
  /** The diagnosis the approver read (`Diagnosis: out/…md`), as written; null: none named. */
  readonly diagnosis: string | null;
  /** The sha256 the approver pinned that diagnosis to (`diagnosis_sha256:`), lower-case hex. */
  readonly diagnosisSha256: string | null;
  readonly raw: string;
  /** What was dropped or ignored, and why (unsafe paths, unknown permission, conflicting lines). */
  readonly problems: readonly string[];
}

export function parseRouteDecision(text: string): RouteDecision {
  const problems: string[] = [];
  const { data, body } = readFrontMatterTolerantly(text, problems);
  const outline = outlineMarkdown(body);
  const fields = bodyFields(outline.lead, outline.sections, problems);

  const permissionText = firstKey(data, ["permission"], problems) ?? fields.permission;
  const permission = permissionText === undefined ? null : permissionOf(permissionText, problems);
  const approvedBy = approverOf(firstKey(data, ["approved_by", "approved-by", "approvedBy"], problems) ?? fields.approvedBy, problems);

  let entries = frontMatterFiles(data, problems);
  if (entries === undefined) {
    const sections = outline.sections.filter((section) => APPROVED_FILES_HEADINGS.has(headingKey(section.title)));
    entries = sections.flatMap((section) => {
      const items = listItemLines(section.body).map(pathOfItem);
      return items.length > 0 ? items : fencedBlocks(section.body)
        .flatMap((block) => block.split("\n"))
        .filter((line) => !line.trim().startsWith("#"));
    });
  }
  const approvedFiles: string[] = [];
  for (const entry of entries) {
    const normalized = normalizeApprovedPath(entry);
    if (normalized.ok) {
      if (normalized.path !== "" && !approvedFiles.includes(normalized.path)) approvedFiles.push(normalized.path);
    } else {
      problems.push(normalized.reason);
    }
  }
  const named = namedDiagnosis(data, [outline.lead, ...outline.sections.map((section) => section.intro)], problems);
  return { permission, approvedBy, approvedFiles, ...named, raw: text, problems };
}

const APPROVED_FILES_HEADINGS = new Set(["approved files", "approved file", "approved file list", "approved paths", "files approved"]);

// ---------------------------------------------------------------------------------------------- fields

type Field = "permission" | "approvedBy";

/** `permission: codex-rw`, `**Permission**: codex-rw`, `- Approved by: Ana` (case-insensitive). */
const FIELD_LINE = /^\s{0,3}(?:[-*+]\s+)?(?:\*\*|__)?\s*(permission|approved[ _-]?by)\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?(.*?)(?:\*\*|__)?\s*$/i;

function fieldOfKey(key: string): Field {
  return key.toLowerCase() === "permission" ? "permission" : "approvedBy";
}

// Values from body lines outside fenced code, and from `## Permission` / `## Approved By` sections.
function bodyFields(lead: string, sections: readonly { title: string; intro: string }[], problems: string[]): Partial<Record<Field, string>> {
  const found: Record<Field, string[]> = { permission: [], approvedBy: [] };
  for (const text of [lead, ...sections.map((section) => section.intro)]) {
    for (const line of outsideFences(text)) {
      const match = FIELD_LINE.exec(line);
      if (match) found[fieldOfKey(match[1]!)].push(stripBackticks(match[2]!));
    }
  }
  for (const section of sections) {
    const key = headingKey(section.title);
    if (key !== "permission" && key !== "approved by") continue;
    const first = outsideFences(section.intro).map((line) => line.replace(/^\s*[-*+]\s+/, "").trim()).find((line) => line !== "");
    if (first !== undefined && !FIELD_LINE.test(first)) found[key === "permission" ? "permission" : "approvedBy"].push(stripBackticks(first.replace(/^\*\*(.*)\*\*$/, "$1")));
  }
  const result: Partial<Record<Field, string>> = {};
  for (const field of ["permission", "approvedBy"] as const) {
    const values = [...new Set(found[field].map((value) => value.trim()).filter((value) => value !== ""))];
    const name = field === "permission" ? "permission" : "approved_by";
    if (values.length > 1 && field === "permission") {
      // Two different answers to "may Codex write?" is no answer.
      problems.push(`${name} is stated more than once with different values (${values.map((v) => `\`${v}\``).join(", ")}); it was ignored`);
      result[field] = "";
    } else if (values.length > 0) {
      if (values.length > 1) problems.push(`${name} is stated more than once; the first (\`${values[0]}\`) was used`);
      result[field] = values[0]!;
    }
  }
  return result;
}

function firstKey(data: Record<string, unknown>, keys: readonly string[], problems: string[]): string | undefined {
  for (const key of keys) {
    const value = frontMatterString(data, key, problems);
    if (value !== undefined) return value;
  }
  return undefined;
}

function permissionOf(text: string, problems: string[]): RoutePermission | null {
  const value = stripControl(stripBackticks(text), TAB_OR_NEWLINE).trim().replace(/^["']|["']$/g, "");
  if (value === "") return null;
  // `codex-rw (per diagnosis)` is fine; `codex-rwx` or `read-write` is not a known permission.
  const match = /^codex[-_ ]?(rw|ro)(?![\w-])/i.exec(value);
  if (match) return match[1]!.toLowerCase() === "rw" ? "codex-rw" : "codex-ro";
  problems.push(`permission \`${value.slice(0, 60)}\` is neither \`codex-ro\` nor \`codex-rw\`; it was ignored`);
  return null;
}

// Tabs and newlines stay until whitespace is collapsed; every other control character goes.
const TAB_OR_NEWLINE = /[\t\n]/;

// Template leftovers are not an approval.
const PLACEHOLDER = /^(?:none|null|nil|n\/a|na|tbd|todo|pending|unknown|-+|\?+|<[^>@]*>|\[[^\]]*\])$/i;

function approverOf(text: string | undefined, problems: string[]): string | null {
  if (text === undefined) return null;
  const value = stripControl(stripBackticks(text), TAB_OR_NEWLINE).replace(/\s+/g, " ").trim();
  if (value === "") return null;
  if (PLACEHOLDER.test(value)) {
    problems.push(`approved_by \`${value.slice(0, 60)}\` is a placeholder, not a name`);
    return null;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------- diagnosis

/** `Diagnosis: out/codex-diagnosis-….md` (the line the diagnosis report asks to paste), `Diagnosis SHA256: <hex>`. */
const DIAGNOSIS_LINE = /^\s{0,3}(?:[-*+]\s+)?(?:\*\*|__)?\s*diagnosis([ _-]?sha-?256)?\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?(.*?)(?:\*\*|__)?\s*$/i;
const SHA256_HEX = /^[0-9a-f]{64}$/i;
const INLINE_SHA = /\s*\(?\s*sha-?256\s*[:=]?\s*`?([0-9a-f]{64})`?\s*\)?\s*$/i;

// The first statement wins, front matter before body; a hash that is not one is named and ignored.
function namedDiagnosis(data: Record<string, unknown>, texts: readonly string[], problems: string[]): { diagnosis: string | null; diagnosisSha256: string | null } {
  let diagnosis = firstKey(data, ["diagnosis"], problems);
  let hash = firstKey(data, ["diagnosis_sha256", "diagnosis-sha256", "diagnosisSha256"], problems);
  for (const line of texts.flatMap((text) => outsideFences(text))) {
    const match = DIAGNOSIS_LINE.exec(line);
    if (!match) continue;
    if (match[1] !== undefined) hash ??= stripBackticks(match[2]!);
    else diagnosis ??= match[2]!;
  }
  if (diagnosis !== undefined) {
    const inline = INLINE_SHA.exec(diagnosis);
    if (inline) {
      hash ??= inline[1]!;
      diagnosis = diagnosis.slice(0, inline.index);
    }
    diagnosis = stripControl(stripBackticks(diagnosis), TAB_OR_NEWLINE).trim();
  }
  hash = hash?.trim();
  if (hash !== undefined && hash !== "" && !SHA256_HEX.test(hash)) {
    problems.push(`diagnosis_sha256 \`${hash.slice(0, 70)}\` is not a sha256 (64 hex digits); it was ignored`);
    hash = undefined;
  }
  return { diagnosis: diagnosis || null, diagnosisSha256: hash ? hash.toLowerCase() : null };
}

// ---------------------------------------------------------------------------------------------- files

function frontMatterFiles(data: Record<string, unknown>, problems: string[]): string[] | undefined {
  const key = ["approved_files", "approved-files", "approvedFiles"].find((name) => Object.hasOwn(data, name) && data[name] != null);
  if (key === undefined) return undefined;
  const value = data[key];
  if (typeof value === "string") return value.split("\n");
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value as string[];
  problems.push(`front matter \`${key}\` must be a list of paths; it was ignored`);
  return undefined;
}

/** A list item's path: the code span if it starts with one, else the text before a ` — reason` or ` (reason)`. */
export function pathOfItem(item: string): string {
  const span = /^(`+)(.+?)\1/.exec(item.trim());
  if (span) return span[2]!.trim();
  if (/^\(.*\)$/.test(item.trim())) return ""; // `- (list the files Codex may change)`: a template note

  return item
    .replace(/\s+(?:—|–|-{1,2})\s+.*$/, "")
    .replace(/\s+\([^)]*\)\s*$/, "")
    .replace(/^\*\*(.+)\*\*$/, "$1")
    .trim();
}

export type NormalizedPath = { ok: true; path: string } | { ok: false; reason: string };

/**
 * An approved entry as limits.ts matches it: posix, workspace-relative, no `./`, `.` or repeated
 * slashes; `dir/` becomes `dir/**`. Absolute paths and `..` segments are refused: an approval
 * never reaches outside the workspace. An empty result (`path: ""`) means there was nothing there.
 */
export function normalizeApprovedPath(entry: string): NormalizedPath {
  const raw = stripBackticks(entry).trim();
  const shown = JSON.stringify(raw.slice(0, 120));
  if (/[\u0000-\u001f\u007f-\u009f]/.test(raw)) return { ok: false, reason: `approved file ${shown} contains control characters; it was dropped` };
  const posix = raw.replace(/\\/g, "/");
  if (posix.startsWith("/") || /^[A-Za-z]:\//.test(posix) || posix.startsWith("~")) {
    return { ok: false, reason: `approved file ${shown} is an absolute path; use a path relative to the workspace. It was dropped` };
  }
  const segments = posix.split("/");
  if (segments.includes("..")) {
    return { ok: false, reason: `approved file ${shown} has a \`..\` segment, which could leave the workspace; it was dropped` };
  }
  const kept = segments.filter((segment) => segment !== "" && segment !== ".");
  if (kept.length === 0) return { ok: true, path: "" };
  return { ok: true, path: posix.endsWith("/") && kept[kept.length - 1] !== "**" ? `${kept.join("/")}/**` : kept.join("/") };
}
