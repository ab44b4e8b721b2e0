// YAML front matter between `---` lines, for every Markdown file of the protocol (requests, task
// packets, route decisions). Callers decide what a problem means: a request is refused, a task
// packet is read without its front matter. Never evaluates anything but YAML, and never expands
// YAML aliases into a graph larger than MAX_NODES.
import matter from "gray-matter";

export type FrontMatterRead =
  | { readonly ok: true; readonly data: Record<string, unknown>; readonly body: string }
  | { readonly ok: false; readonly problem: FrontMatterProblem; readonly detail: string; readonly body: string };

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
const MATTER_OPTIONS = { language: "yaml", engines: { javascript: refuseJavaScript, js: refuseJavaScript } };

/** Split `source` (BOM and CRLF already normalized) into its front matter, a JSON-safe copy, and the Markdown after it. */
export function readFrontMatter(source: string): FrontMatterRead {
  // gray-matter's rule: front matter opens with `---` on the first line, but `----` is not a delimiter.
  if (!source.startsWith("---") || source[3] === "-") return { ok: true, data: {}, body: source };
  const firstLineEnd = source.indexOf("\n");
  const close = firstLineEnd === -1 ? -1 : source.slice(firstLineEnd).search(/\n---[ \t]*(?:\n|$)/);
  const afterClose = close === -1 ? -1 : source.indexOf("\n", firstLineEnd + close + 1);
  const rest = close === -1 ? source : afterClose === -1 ? "" : source.slice(afterClose + 1);
  const problem = (kind: FrontMatterProblem, detail = ""): FrontMatterRead => ({ ok: false, problem: kind, detail, body: rest });
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
