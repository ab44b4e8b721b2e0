// Whether a request has ended, as `wait` sees it: its RESULT, or word that its RESULT exists and
// does not read. A RESULT is renamed into place whole (PROTOCOL.md §10), so one that exists and
// does not read is final: waiting on would never end. `show` calls it `failed: unreadable_result`.
import type { Layout } from "../protocol/layout.js";
import { pathExists } from "../util/path-exists.js";
import { readFinishedResult, type FinishedResult } from "./finished-result.js";

/** A RESULT .json that exists (in the inbox or archived) but is not JSON or not one this relay reads. */
export interface UnreadableResult {
  unreadable: true;
  id: string;
}

export type EndedResult = FinishedResult | UnreadableResult;

/** The RESULT of a request, or that it has one that does not read; undefined while it has none. */
export async function readEndedResult(layout: Layout, id: string): Promise<EndedResult | undefined> {
  const result = await readFinishedResult(layout, id);
  if (result) return result;
  const found = (await pathExists(layout.result(id, "json"))) || (await pathExists(layout.archivedResult(id, "json")));
  return found ? { unreadable: true, id } : undefined;
}

export function isUnreadable(result: EndedResult): result is UnreadableResult {
  return "unreadable" in result;
}
