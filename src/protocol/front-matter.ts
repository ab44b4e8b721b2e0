// YAML front matter between `---` lines, the one reader for every Markdown file of the protocol
// (requests, task packets, route decisions). One error shape; callers decide what a problem means:
// a request is refused, a task packet is read without its front matter. Never evaluates anything
// but YAML, and never expands YAML aliases into a graph larger than MAX_NODES.
import { createRequire } from "node:module";
import type matterType from "gray-matter";
import { stripControl } from "../util/control-chars.js";
import { normalizeNewlines } from "./markdown-outline.js";

/** The front matter and the Markdown after it (BOM dropped, newlines LF), or what was wrong with it. */
export type FrontMatterRead =
  | { readonly ok: true; readonly data: Record<string, unknown>; readonly body: string }
  | { readonly ok: false; readonly problem: FrontMatterProblem; readonly message: string; readonly body: string };

/**
 * unclosed: no `---` line after the opening one (`body` is then the whole text); language: not
 * YAML (`detail` names it); yaml: does not parse (`detail` says why, with its line); not-mapping:
 * YAML but not `key: value` lines; too-complex: too large or too deeply nested.
 */
export type FrontMatterProblem = "unclosed" | "language" | "yaml" | "not-mapping" | "too-complex";

// A non-empty options object also keeps gray-matter from caching every parsed file by its content (its cache
// is unbounded and hands out shared objects). The JavaScript engine would `eval` the front matter: disabled.
const refuseJavaScript = (): object => {
  throw new Error("JavaScript front matter is not supported");
};
// Loaded on the first file that has front matter (synchronously: it is CommonJS): most requests have
// none, and gray-matter with js-yaml is ~2.7 MB of an idle daemon's resident set.
let matterModule: typeof matterType | undefined;
const matter = (...args: Parameters<typeof matterType>) => (matterModule ??= createRequire(import.meta.url)("gray-matter") as typeof matterType)(...args);
const MATTER_OPTIONS = { language: "yaml", engines: { javascript: refuseJavaScript, js: refuseJavaScript } };

/** Split `text` into its front matter, a JSON-safe copy, and the Markdown after it. */
export function readFrontMatter(text: string): FrontMatterRead {
  const source = normalizeNewlines(text);
  // gray-matter's rule: front matter opens with `---` on the first line, but `----` is not a delimiter.
  if (!source.startsWith("---") || source[3] === "-") return { ok: true, data: {}, body: source };
  const firstLineEnd = source.indexOf("\n");
  const close = firstLineEnd === -1 ? -1 : source.slice(firstLineEnd).search(/\n---[ \t]*(?:\n|$)/);
  const afterClose = close === -1 ? -1 : source.indexOf("\n", firstLineEnd + close + 1);
  const rest = close === -1 ? source : afterClose === -1 ? "" : source.slice(afterClose + 1);
  const problem = (kind: FrontMatterProblem, detail = ""): FrontMatterRead => ({ ok: false, problem: kind, message: MESSAGES[kind](detail), body: rest });
  const language = source.slice(3, firstLineEnd === -1 ? undefined : firstLineEnd).trim();
  if (language !== "" && !/^ya?ml$/i.test(language)) return problem("language", language.slice(0, 40));
  if (close === -1) return problem("unclosed");
  let data: unknown;
  try {
    data = matter(source, MATTER_OPTIONS).data;
  } catch (error) {
    return problem("yaml", yamlMessage(error));
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) return problem("not-mapping");
  try {
    return { ok: true, data: toJsonSafe(data, { left: MAX_NODES }, 0) as Record<string, unknown>, body: rest };
  } catch (error) {
    if (error instanceof TooComplex) return problem("too-complex");
    throw error;
  }
}

// What failed and how to fix it; `detail` is the language or the YAML error.
const MESSAGES: Record<FrontMatterProblem, (detail: string) => string> = {
  unclosed: () => "front matter is not closed: add a `---` line after it",
  language: (language) => `front matter language \`${stripControl(language).replace(/\s+/g, " ")}\` is not supported: use YAML between \`---\` lines`,
  yaml: (why) => `front matter is not valid YAML: ${why}`,
  "not-mapping": () => "front matter must be YAML `key: value` lines",
  "too-complex": () => "front matter is too large or too deeply nested (check YAML aliases)",
};

/**
 * For files read in spite of bad front matter (task packets, route decisions): the data, `{}` when
 * absent or unusable, and the body; a problem is pushed to `problems` saying what was done instead.
 */
export function readFrontMatterTolerantly(text: string, problems: string[]): { data: Record<string, unknown>; body: string } {
  const read = readFrontMatter(text);
  if (read.ok) return read;
  problems.push(`${read.message}; ${read.problem === "unclosed" ? "it was read as Markdown" : "it was ignored"}`);
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

function yamlMessage(error: unknown): string {
  const { reason, mark, message } = (error ?? {}) as { reason?: string; mark?: { line?: number }; message?: string };
  // js-yaml counts from 0 within the block, whose line 0 is the opening `---` line: +1 gives the file's line.
  if (reason !== undefined && typeof mark?.line === "number") return `${reason} at line ${mark.line + 1}`;
  return message ?? String(error);
}

// YAML aliases can make a small file expand into a huge graph; the copy below walks every path, so cap it.
const MAX_NODES = 100_000;
const MAX_DEPTH = 64;
class TooComplex extends Error {}

/** A fresh, JSON-safe copy of what YAML gave: no shared objects, dates as ISO strings. */
function toJsonSafe(value: unknown, budget: { left: number }, depth: number): unknown {
  if (--budget.left < 0 || depth > MAX_DEPTH) throw new TooComplex();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map((item) => toJsonSafe(item, budget, depth + 1));
  if (typeof value === "object" && value !== null) {
    // Object.fromEntries defines own properties, so a `__proto__` key stays a plain key.
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJsonSafe(item, budget, depth + 1)]));
  }
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}
