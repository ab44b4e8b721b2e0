// Requests known only to the audit branch (PROTOCOL.md §6): their files were archived away,
// deleted, or never kept. Each finished request's RESULT json (and for a patch, the ledger as it
// stood) is committed there, so audit counts them still. Two git runs whatever their number.
import { auditedFiles, readAuditedFiles } from "../git/audit-branch.js";
import { LEDGER_FILE, RESULT_JSON_FILE, type Layout } from "../protocol/layout.js";
import { requestIdTime } from "../protocol/request-id.js";
import { parseLedger, type LedgerEntry } from "./ledger-entries.js";
import type { PriceTable } from "../config/prices.js";
import type { RequestRecord } from "./request-record.js";
import { recordOfResult } from "./request-records.js";
import { readResultText } from "./result-summary.js";

/** The finished requests on the audit branch that are not in `known`, made at or after `since`. */
export async function readAuditOnlyRecords(
  layout: Layout,
  known: ReadonlySet<string>,
  query: { readonly now: Date; readonly since?: Date; readonly prices: () => Promise<PriceTable> },
): Promise<RequestRecord[]> {
  const files = await auditedFiles(layout.workspace);
  if (!files?.length) return [];
  const since = query.since?.getTime();
  const present = new Set(files);
  const wanted = new Map<string, { result: string; ledger: string | undefined }>();
  for (const file of files) {
    const [top, id, name, ...rest] = file.split("/");
    if (top !== "delegations" || !id || rest.length > 0 || known.has(id) || RESULT_JSON_FILE.exec(name ?? "")?.[1] !== id) continue;
    if (since !== undefined && (requestIdTime(id)?.getTime() ?? 0) < since) continue;
    const ledger = `delegations/${id}/${LEDGER_FILE}`;
    wanted.set(id, { result: file, ledger: present.has(ledger) ? ledger : undefined });
  }
  if (wanted.size === 0) return [];
  const texts = await readAuditedFiles(layout.workspace, [...wanted.values()].flatMap(({ result, ledger }) => (ledger ? [result, ledger] : [result])));
  const records: RequestRecord[] = [];
  for (const [id, where] of wanted) {
    const result = readResultText(texts.get(where.result) ?? "");
    if (!result || result.id !== id) continue; // not a RESULT of this request: nothing to count
    const ledger = where.ledger ? parseLedger(texts.get(where.ledger) ?? "").get(id) : undefined;
    const prices = result.usage && result.usage.cost_usd === null ? await query.prices() : {};
    records.push(recordOfResult(result, ledger, query.now, prices, "audit"));
  }
  return records;
}

/** The ledger lines of `ids` as the audit branch keeps them (each with the ledger as it stood after that run). */
export async function readAuditedLedgerEntries(layout: Layout, ids: readonly string[]): Promise<Map<string, LedgerEntry>> {
  const entries = new Map<string, LedgerEntry>();
  if (ids.length === 0) return entries;
  const where = (id: string) => `delegations/${id}/${LEDGER_FILE}`;
  const texts = await readAuditedFiles(layout.workspace, ids.map(where)).catch(() => new Map<string, string>()); // not a repository: nothing kept
  for (const id of ids) {
    const entry = parseLedger(texts.get(where(id)) ?? "").get(id);
    if (entry) entries.set(id, entry);
  }
  return entries;
}
