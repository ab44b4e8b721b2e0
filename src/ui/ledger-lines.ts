// The newest lines of progress/ledger.jsonl for the dashboard's ledger table (PROTOCOL.md §5).
import type { Layout } from "../protocol/layout.js";
import { jsonObject } from "../util/json-object.js";
import { readIfExists } from "../util/read-if-exists.js";

const SHOWN = 200;

/** Newest first; a line that is not a JSON object is left out. */
export async function readLedger(layout: Layout): Promise<Record<string, unknown>[]> {
  const text = (await readIfExists(layout.ledger)) ?? "";
  return text
    .split("\n")
    .filter(Boolean)
    .slice(-SHOWN)
    .reverse()
    .map(jsonObject).filter((line): line is Record<string, unknown> => line !== null);
}
