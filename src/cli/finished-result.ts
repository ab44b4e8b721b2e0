// A finished request's RESULT as a client prints it: the .json the daemon renamed into place whole,
// read without zod. Loading zod alone costs ~100 ms, more than all else `show` or `wait` does;
// the daemon validated the RESULT when it wrote it, so the client checks only what it relies on.
import { readFile } from "node:fs/promises";
import type { Layout } from "../protocol/layout.js";
import type { ResultFile, ResultStatus } from "../protocol/result.js";

/** What a client needs of a RESULT; printed with --json, the whole object is shown. */
export type FinishedResult = Pick<ResultFile, "schema" | "id" | "status" | "summary">;

// protocol/result.ts holds the zod originals; tests/cli/publish-and-wait.test.ts keeps these equal.
import { RESULT_SCHEMA_ID as RESULT_SCHEMA } from "../protocol/result-schema-id.js";
export const RESULT_STATUSES: readonly ResultStatus[] = ["completed", "failed", "rejected", "cancelled", "timed_out"];

/** The RESULT .json of a request (in the inbox, or archived by retention), or undefined while it has none (or it is not one). */
export async function readFinishedResult(layout: Layout, id: string): Promise<FinishedResult | undefined> {
  // undefined when there is no RESULT yet, or it is not JSON (ours are renamed into place whole)
  const read = (file: string) =>
    readFile(file, "utf8")
      .then((text) => JSON.parse(text) as unknown)
      .catch(() => undefined);
  const json = (await read(layout.result(id, "json"))) ?? (await read(layout.archivedResult(id, "json")));
  return isFinishedResult(json, id) ? json : undefined;
}

function isFinishedResult(json: unknown, id: string): json is FinishedResult {
  if (typeof json !== "object" || json === null) return false;
  const { schema, id: resultId, status, summary } = json as Record<string, unknown>;
  return schema === RESULT_SCHEMA && resultId === id && RESULT_STATUSES.includes(status as ResultStatus) && typeof summary === "string";
}
