// Read and parse a request file, within the size limit. Never throws: a request that cannot be
// read says why, with the size and mtime the daemon's settle check compares between tries.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { RelayError } from "../errors.js";
import { parseRequest } from "../protocol/parse-request.js";
import type { DelegationRequest } from "../protocol/request.js";
import type { RelayContext } from "../context/relay-context.js";
import { sha256 } from "../util/sha256.js";

export type ReadRequestOutcome =
  | { ok: true; request: DelegationRequest; digest: string }
  | { ok: false; error: RelayError; fingerprint: string | null };

export async function readRequest(ctx: RelayContext, id: string): Promise<ReadRequestOutcome> {
  const file = ctx.layout.request(id);
  const name = path.basename(file);
  let size: number;
  let fingerprint: string;
  try {
    const info = await stat(file);
    size = info.size;
    fingerprint = `${info.size}:${info.mtimeMs}:${info.ino}`;
  } catch (error) {
    return { ok: false, error: new RelayError("invalid_request", `${name} is gone`, { cause: error }), fingerprint: null };
  }
  const max = ctx.config.limits.max_request_bytes;
  if (size > max) {
    const error = new RelayError("request_too_large", `${name} is ${size} bytes, over limits.max_request_bytes (${max}); nothing was sent to Codex`);
    return { ok: false, error, fingerprint };
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    return { ok: false, error: new RelayError("invalid_request", `cannot read ${name}: ${(error as Error).message}`, { cause: error }), fingerprint: null };
  }
  const parsed = parseRequest(text);
  if (!parsed.ok) return { ok: false, error: new RelayError("invalid_request", `${name}: ${parsed.reason}`), fingerprint };
  return { ok: true, request: parsed.request, digest: digestOf(text) };
}

/** What identifies a request's content: a change to it while it runs restarts the run. */
export function digestOf(text: string): string {
  return sha256(text);
}
