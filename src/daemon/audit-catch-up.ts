// Commit finished requests the audit branch lacks: a daemon killed between a RESULT and its audit
// commit (which follows in the background) never made that commit. Run at start and on each sweep.
import { readdir } from "node:fs/promises";
import type { RelayContext } from "../context/relay-context.js";
import { auditedIds } from "../git/audit-branch.js";
import { RESULT_JSON_FILE } from "../protocol/layout.js";
import { listClaimIds } from "./claims.js";
import { auditInFlight, forgetSeenInAudit, markSeenInAudit, recordInAudit, seenInAudit } from "./record-audit.js";

/**
 * Start the audit commit of every finished request (RESULT json in the inbox) missing from the
 * audit branch, in the background; returns their ids. One `git ls-tree` whatever the number of
 * requests, none when this process has seen every finished request on the branch. A claimed request is left to its claimant, whose own commit (with the reports of a
 * patch) follows its RESULT; a commit this process is making already is left to finish; and the
 * commit itself skips a request another writer committed meanwhile (see recordInAudit).
 */
export async function catchUpAudit(ctx: RelayContext): Promise<string[]> {
  if (!ctx.config.audit.enabled) return [];
  const names = await readdir(ctx.layout.inbox).catch(() => [] as string[]); // no inbox: nothing finished
  const finished = names.flatMap((name) => RESULT_JSON_FILE.exec(name)?.[1] ?? []);
  if (finished.length === 0) return [];
  const { workspace } = ctx.layout;
  forgetSeenInAudit(workspace, new Set(finished));
  // All seen on the branch by this process already: no git run. (A daemon killed before its
  // commit is a new process, which starts knowing nothing and lists the branch.)
  if (finished.every((id) => seenInAudit(workspace, id))) return [];
  // Taken before the listing: a commit that lands while git lists the branch is in neither the
  // listing nor in flight afterwards, and must not be started again.
  const busy = new Set([...(await listClaimIds(ctx.layout)), ...finished.filter(auditInFlight)]); // a dead claimant's claim is gone after the recovery
  const audited = await auditedIds(workspace);
  if (audited === undefined) return []; // not a git repository: there is no audit branch to catch up
  for (const id of finished) if (audited.has(id)) markSeenInAudit(workspace, id);
  const missing = finished.filter((id) => !audited.has(id) && !busy.has(id) && !auditInFlight(id));
  for (const id of missing) {
    ctx.logger.log("info", "audit catch-up", { id });
    ctx.background.run(() => recordInAudit(ctx, id));
  }
  return missing;
}
