// The shape a turn's final message must have: the JSON schema handed to `codex exec
// --output-schema` (a file written once per workspace) and the zod check of the reply against it.
import { existsSync } from "node:fs";
import path from "node:path";
import type { z } from "zod";
import type { RelayContext } from "../context/relay-context.js";
import type { Layout } from "../protocol/layout.js";
import { RelayError } from "../errors.js";
import { writeFileAtomic } from "../util/atomic-write.js";

export interface ReplySchema<T> {
  /** Names the schema file: `.autonomous_runs/.relay/<name>.schema.json`. */
  readonly name: string;
  readonly type: z.ZodType<T>;
  /** The strict JSON schema of `type` that Codex is given. */
  readonly json: () => Record<string, unknown>;
}

/** Codex's final message checked against the schema it was given. */
export function parseJsonReply<T>(message: string, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; error: RelayError } {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { ok: false, error: new RelayError("invalid_reply", "Codex's final message is not JSON") };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = parsed.error.issues[0];
  const where = first ? `${first.path.join(".") || "(root)"}: ${first.message}` : "";
  return { ok: false, error: new RelayError("invalid_reply", `Codex's reply does not match the result schema (${where})`) };
}

/** Where a schema's file lives: `.autonomous_runs/.relay/<name>.schema.json`. */
export function outputSchemaPath(layout: Layout, schema: ReplySchema<unknown>): string {
  return path.join(layout.relay, `${schema.name}.schema.json`);
}

const schemaFiles = new Map<string, Promise<string>>();
/**
 * An output schema, written once per workspace under the relay's private folder, and again when
 * someone removed that folder under a running daemon (one stat: Codex would fail on a missing file).
 */
export function outputSchemaFile(ctx: RelayContext, schema: ReplySchema<unknown>): Promise<string> {
  const file = outputSchemaPath(ctx.layout, schema);
  let written = schemaFiles.get(file);
  if (written && !existsSync(file)) written = undefined;
  if (!written) {
    written = writeFileAtomic(file, JSON.stringify(schema.json(), null, 2), ctx.layout.tmp).then(() => file);
    written.catch(() => schemaFiles.delete(file)); // a failed write is retried by the next request
    schemaFiles.set(file, written);
  }
  return written;
}
