// The shape of a delegation request (PROTOCOL.md §2): the front-matter schema used when parsing.
// The zod-free basics (kinds, normalization, the parsed type) live in request-text.ts, so that
// `codex-relay delegate` can render a request without loading zod.
import { z } from "zod";
import { ID_PATTERN } from "./layout.js";
import { cleanFiles, cleanList, cleanText, MODEL_PATTERN, REQUEST_KINDS } from "./request-text.js";

export { cleanFiles, cleanList, cleanText, MODEL_PATTERN, type DelegationRequest } from "./request-text.js";

export const RequestKind = z.enum(REQUEST_KINDS);
export type RequestKind = z.infer<typeof RequestKind>;

const describe = (value: unknown): string => {
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object" && value !== null) return "a mapping";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…"` : text;
};

const scalarText = (value: unknown): string | undefined => {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
};

// YAML turns `key:` with no value into null; treat that as "not given".
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === null ? undefined : value), schema.optional());

/** Free text: a scalar, or a list of scalars joined by newlines (handy for `logs:`). */
const Text = z.unknown().transform((value, ctx) => {
  const parts = Array.isArray(value) ? value.map(scalarText) : [scalarText(value)];
  if (parts.some((part) => part === undefined)) {
    ctx.addIssue({ code: "custom", message: `expected text, got ${describe(value)}` });
    return z.NEVER;
  }
  return cleanText(parts.join("\n"));
});

/** A list of texts; a single scalar is a list of one. */
const TextList = z.unknown().transform((value, ctx) => {
  const items = (Array.isArray(value) ? value : [value]).map(scalarText);
  if (items.some((item) => item === undefined)) {
    ctx.addIssue({ code: "custom", message: `expected a list of texts, got ${describe(value)}` });
    return z.NEVER;
  }
  return cleanList(items as string[]);
});

/** `files: [a, b]` or `files: a, b` (the seed script's comma-separated --files). */
const FileList = z.unknown().transform((value, ctx) => {
  if (typeof value === "string") return cleanFiles(value.split(","));
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return cleanFiles(value);
  ctx.addIssue({
    code: "custom",
    message: `expected a list of paths or a comma-separated string, got ${describe(value)}`,
  });
  return z.NEVER;
});

const Kind = z.unknown().transform((value, ctx) => {
  const kind = RequestKind.safeParse(typeof value === "string" ? value.trim().toLowerCase() : value);
  if (kind.success) return kind.data;
  ctx.addIssue({ code: "custom", message: `expected one of ${RequestKind.options.join(", ")}, got ${describe(value)}` });
  return z.NEVER;
});

export const ModelName = z.unknown().transform((value, ctx) => {
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text === "string" && MODEL_PATTERN.test(text)) return text;
  ctx.addIssue({
    code: "custom",
    message: `expected 1–100 letters, digits or . _ : / - (it is passed to codex as --model), got ${describe(value)}`,
  });
  return z.NEVER;
});

/** The front matter's known keys; unknown keys are allowed and kept. */
export const FrontMatter = z.looseObject({
  kind: optional(Kind),
  issue: optional(Text),
  files: optional(FileList),
  model: optional(ModelName),
  requested_by: optional(Text),
  context: optional(Text),
  logs: optional(Text),
  attempted_fixes: optional(TextList),
  questions: optional(TextList),
  replay_of: optional(z.string().regex(ID_PATTERN, "a request id (YYYYMMDD_HHMMSS), quoted")),
});
export type FrontMatter = z.infer<typeof FrontMatter>;

