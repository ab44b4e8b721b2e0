// The request a command's <id> names (`show`, `wait`, `cancel`, `approve`), checked against the
// inbox: a mistyped id is an error naming the nearest ids there, never a marker for a request that
// does not exist or a wait that cannot end. A finished request costs one file read, as before.
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { RelayError } from "../errors.js";
import { ID_PATTERN, REQUEST_FILE, RESULT_JSON_FILE, type Layout } from "../protocol/layout.js";
import { nearest } from "../util/edit-distance.js";
import { readFinishedResult, type FinishedResult } from "./finished-result.js";

export interface NamedRequest {
  readonly id: string;
  /** Its RESULT, when it has one that reads as a RESULT. */
  readonly result: FinishedResult | undefined;
  /** Its RESULT .json exists (the commit point, PROTOCOL.md §3.4), whether or not it reads. */
  readonly finished: boolean;
}

const SUGGESTIONS = 3;

/** `raw` (the bare id or a request/result file name) as a request of `layout`'s inbox; throws `unknown_request`. */
export async function namedRequest(layout: Layout, raw: string | undefined): Promise<NamedRequest> {
  const id = raw?.match(/(\d{8}_\d{6}(?:_\d+)?)/)?.[1];
  if (!id || !ID_PATTERN.test(id)) {
    const said = raw ?? "";
    throw new RelayError("unknown_request", `\`${said}\` is not a request id (expected YYYYMMDD_HHMMSS, as in CODEX_DELEGATION_REQUEST_<id>.md)`, {
      hint: await suggest(layout, said),
    });
  }
  const result = await readFinishedResult(layout, id);
  if (result) return { id, result, finished: true };
  const finished = existsSync(layout.result(id, "json")) || existsSync(layout.archivedResult(id, "json"));
  if (finished || existsSync(layout.request(id))) return { id, result, finished };
  throw new RelayError("unknown_request", `no request ${id} in ${layout.inbox}; nothing was written`, { hint: await suggest(layout, id) });
}

async function suggest(layout: Layout, wanted: string): Promise<string> {
  const names = await readdir(layout.inbox).catch(() => [] as string[]);
  const ids = names.flatMap((name) => REQUEST_FILE.exec(name)?.[1] ?? RESULT_JSON_FILE.exec(name)?.[1] ?? []);
  if (ids.length === 0) return `${layout.inbox} holds no requests yet (is this the workspace you meant?)`;
  return `nearest: ${nearest(wanted, ids, SUGGESTIONS).join(", ")} (\`codex-relay status\` lists them all)`;
}
