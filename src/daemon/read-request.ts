// Read and parse a request file, within the size limit. Never throws: a request that cannot be
// read says why, with the size and mtime the daemon's settle check compares between tries.
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { RelayError } from "../errors.js";
import { parseRequest } from "../protocol/parse-request.js";
import { isNotFound } from "../util/not-found.js";
import type { DelegationRequest } from "../protocol/request.js";
import type { RelayContext } from "../context/relay-context.js";
import { sha256 } from "../util/sha256.js";

export type ReadRequestOutcome =
  | { ok: true; request: DelegationRequest; digest: string }
  | { ok: false; error: RelayError; fingerprint: string | null };

// Synchronous reads of one small file (the size is checked before it is read): on the path from
// detection to Codex's spawn, each await of the thread pool was a wake-up of another thread,
// and on a busy machine each of the five (stat, open, fstat, read, close) could wait a millisecond.
export async function readRequest(ctx: RelayContext, id: string): Promise<ReadRequestOutcome> {
  const file = ctx.layout.request(id);
  const name = path.basename(file);
  let fd: number;
  try {
    // Non-blocking: a FIFO under a request's name must not hang the daemon in open.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const gone = isNotFound(error);
    const message = gone ? `${name} is gone` : `cannot read ${name}: ${(error as Error).message}`;
    return { ok: false, error: new RelayError("invalid_request", message, { cause: error }), fingerprint: null };
  }
  let text: string;
  let fingerprint: string;
  try {
    const info = fstatSync(fd);
    fingerprint = `${info.size}:${info.mtimeMs}:${info.ino}`;
    if (!info.isFile()) return { ok: false, error: new RelayError("invalid_request", `${name} is not a regular file`), fingerprint };
    const max = ctx.config.limits.max_request_bytes;
    if (info.size > max) {
      const error = new RelayError("request_too_large", `${name} is ${info.size} bytes, over limits.max_request_bytes (${max}); nothing was sent to Codex`);
      return { ok: false, error, fingerprint };
    }
    text = readFileSync(fd, "utf8");
  } catch (error) {
    return { ok: false, error: new RelayError("invalid_request", `cannot read ${name}: ${(error as Error).message}`, { cause: error }), fingerprint: null };
  } finally {
    closeSync(fd);
  }
  const parsed = parseRequest(text);
  if (!parsed.ok) return { ok: false, error: new RelayError("invalid_request", `${name}: ${parsed.reason}`), fingerprint };
  return { ok: true, request: parsed.request, digest: digestOf(text) };
}

/** What identifies a request's content: a change to it while it runs restarts the run. */
export function digestOf(text: string): string {
  return sha256(text);
}
