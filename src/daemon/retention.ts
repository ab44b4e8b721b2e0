// Retention: finished requests older than `retention.days` leave the inbox for
// .autonomous_runs/archive/YYYY-MM/ (the month of the id, same file names, so a reader given an id
// knows where to look), and their gateway recordings and old temp files are removed. The audit
// branch keeps everything: a request is archived only once its audit commit exists. A request
// that is queued, held or running has no RESULT json, or has a claim, and is never touched. The
// approval records (.relay/approvals/) of archived patch requests go too: an archived request is
// finished, so no later ask can join it, and the record would only pile up.
import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { RelayContext } from "../context/relay-context.js";
import { auditedIds } from "../git/audit-branch.js";
import { REQUEST_FILE, resultName, RESULT_JSON_FILE, type Layout } from "../protocol/layout.js";
import { requestIdTime } from "../protocol/request-id.js";
import { acquireLease, releaseLease } from "../util/lease.js";
import { errnoCode } from "../util/not-found.js";
import { readIfExists } from "../util/read-if-exists.js";
import { listClaimIds } from "./claims.js";
import { removeDeadTemps } from "./tmp-cleanup.js";

const DAY_MS = 86_400_000;
/** A temp file this old is litter whoever wrote it: every writer renames its temp within seconds. */
const TEMP_MAX_AGE_MS = DAY_MS;

export interface RetentionOutcome {
  /** Ids whose files moved to the archive. */
  readonly archived: string[];
  /** Recording folders removed. */
  readonly recordings: string[];
  /** Temp files removed. */
  readonly temps: string[];
}

/** Apply `retention.days` at the context's clock; `busy` names requests the caller is handling. */
export async function applyRetention(ctx: RelayContext, busy: (id: string) => boolean = () => false): Promise<RetentionOutcome> {
  const { layout, config } = ctx;
  const none: RetentionOutcome = { archived: [], recordings: [], temps: [] };
  if (config.retention.days === 0) return none;
  const now = ctx.now();
  const cutoff = now.getTime() - config.retention.days * DAY_MS;
  const names = await readdir(layout.inbox).catch(() => [] as string[]); // no inbox: nothing to keep or move
  const claimed = new Set(await listClaimIds(layout));
  const untouchable = (id: string) => busy(id) || claimed.has(id);
  // An id is its creation time: a request made after the cutoff finished after it too.
  const old = (id: string) => (requestIdTime(id)?.getTime() ?? Number.POSITIVE_INFINITY) < cutoff;
  const candidates = names.flatMap((name) => RESULT_JSON_FILE.exec(name)?.[1] ?? []).filter((id) => old(id) && !untouchable(id));
  const finishedBefore = await Promise.all(candidates.map(async (id) => ((await finishedAt(layout, id)) ?? now.getTime()) < cutoff));
  let archivable = candidates.filter((_, i) => finishedBefore[i]);
  if (archivable.length > 0 && config.audit.enabled) {
    const audited = await auditedIds(layout.workspace); // undefined: not a git repository, so no audit branch to wait for
    if (audited) archivable = archivable.filter((id) => audited.has(id));
  }
  const archived: string[] = [];
  for (const id of archivable) {
    if (untouchable(id)) continue; // picked up again meanwhile (a sweep's re-offer finds the RESULT and stops)
    await archiveRequest(layout, id);
    archived.push(id);
  }
  await removeApprovalRecords(layout, new Set(archived), now);
  const pending = new Set(names.flatMap((name) => REQUEST_FILE.exec(name)?.[1] ?? []).filter((id) => !names.includes(resultName(id, "json"))));
  const recordings = await trimRecordings(layout, (id) => old(id) && !untouchable(id) && !pending.has(id));
  const temps = [...(await removeDeadTemps(layout)), ...(await removeOldTemps(layout, now.getTime() - TEMP_MAX_AGE_MS))];
  if (archived.length + recordings.length + temps.length > 0) {
    ctx.logger.log("info", "retention", { archived: archived.length, recordings: recordings.length, temps: temps.length, days: config.retention.days });
  }
  return { archived, recordings, temps };
}

/** When a RESULT says its request finished (ms), or its file's time when it does not parse. */
async function finishedAt(layout: Layout, id: string): Promise<number | undefined> {
  const file = layout.result(id, "json");
  try {
    const finished = Date.parse((JSON.parse(await readFile(file, "utf8")) as { timing?: { finished_at?: string } }).timing?.finished_at ?? "");
    if (!Number.isNaN(finished)) return finished;
  } catch {
    // not our JSON: the file's time says when it was written
  }
  return (await stat(file).catch(() => undefined))?.mtimeMs;
}

// The request first and the RESULT json last: a request whose RESULT json is in the inbox is
// done, so no step of the move (nor a crash between two) ever makes it look unanswered.
async function archiveRequest(layout: Layout, id: string): Promise<void> {
  const month = path.dirname(layout.archivedResult(id, "json")); // archive/<YYYY>-<MM>/ of the id
  await mkdir(month, { recursive: true });
  const files = [layout.request(id), layout.log(id), layout.cancel(id), layout.approve(id), layout.result(id, "md"), layout.result(id, "json")];
  for (const file of files) {
    try {
      await rename(file, path.join(month, path.basename(file)));
    } catch (error) {
      if (errnoCode(error) !== "ENOENT") throw error; // a request has no log when it was rejected, no markers mostly
    }
  }
}

// A record is `<sha256 of the route decision>` holding the id of the patch request queued for it
// (protocol/approval-request.ts). Removed under its lock, so a patch being queued for the same
// approval at this moment keeps the record it writes; a lock held now skips the record till next time.
async function removeApprovalRecords(layout: Layout, archived: ReadonlySet<string>, now: Date): Promise<void> {
  if (archived.size === 0) return;
  const names = await readdir(layout.approvals).catch(() => [] as string[]); // no approvals yet: nothing to remove
  for (const name of names.filter((n) => /^[0-9a-f]{64}$/.test(n))) {
    const record = layout.approval(name);
    const lock = await acquireLease(`${record}.lock`, {}, { now });
    if (!lock) continue;
    try {
      const id = (await readIfExists(record))?.trim();
      if (id !== undefined && archived.has(id)) await rm(record, { force: true });
    } finally {
      await releaseLease(lock);
    }
  }
}

async function trimRecordings(layout: Layout, removable: (id: string) => boolean): Promise<string[]> {
  const folder = path.dirname(layout.recording("x"));
  const ids = (await readdir(folder).catch(() => [] as string[])).filter(removable); // no recordings folder: none kept
  await Promise.all(ids.map((id) => rm(layout.recording(id), { recursive: true, force: true })));
  return ids.map((id) => layout.recording(id));
}

async function removeOldTemps(layout: Layout, before: number): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(layout.tmp).catch(() => [] as string[])) {
    const file = path.join(layout.tmp, name);
    const info = await stat(file).catch(() => undefined); // gone meanwhile: its writer renamed it
    if (!info?.isFile() || info.mtimeMs >= before) continue;
    await rm(file, { force: true });
    removed.push(file);
  }
  return removed;
}
