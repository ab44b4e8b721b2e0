// Commit a finished request's files (request, RESULT pair, event log) to the audit branch,
// redacted like everything else the daemon writes (the request itself may carry a pasted key).
// The audit trail must never cost a request its RESULT: failures are logged, not thrown. A request
// is committed once: a second commit of the same id (a catch-up, another process) is skipped.
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { RelayContext } from "../context/relay-context.js";
import { RelayError } from "../errors.js";
import { commitToAudit } from "../git/audit-branch.js";
import type { ApprovalRecord } from "../protocol/result.js";
import { oneLine } from "../util/one-line.js";
import { posixRelative } from "../util/posix-relative.js";

/** Requests whose audit commit this process has started and not finished. */
const inFlight = new Set<string>();

/**
 * `<workspace>\0<id>` of requests this process saw on the audit branch: committed them itself or
 * found them in a catch-up's listing. A sweep whose finished requests are all known needs no git
 * run (each is a fork of the daemon, blocking its event loop while a request may be arriving).
 */
const seenAudited = new Set<string>();

/** Whether this process has seen `id` of `workspace` on the audit branch. */
export function seenInAudit(workspace: string, id: string): boolean {
  return seenAudited.has(`${workspace}\0${id}`);
}

/** Note that `id` of `workspace` is on the audit branch. */
export function markSeenInAudit(workspace: string, id: string): void {
  seenAudited.add(`${workspace}\0${id}`);
}

/** Forget ids that are no longer finished requests (retention removed them): the set stays the inbox's size. */
export function forgetSeenInAudit(workspace: string, keep: ReadonlySet<string>): void {
  for (const key of seenAudited) {
    const [where, id = ""] = key.split("\0");
    if (where === workspace && !keep.has(id)) seenAudited.delete(key);
  }
}

/** Whether this process is committing `id` right now (the catch-up leaves it to that commit). */
export function auditInFlight(id: string): boolean {
  return inFlight.has(id);
}

/** `extra`: more files to keep with the request (patch reports, the ledger), workspace-absolute. */
export async function recordInAudit(ctx: RelayContext, id: string, extra: readonly string[] = []): Promise<void> {
  if (inFlight.has(id)) return;
  inFlight.add(id); // before the first await: a catch-up started meanwhile sees it
  try {
    await commitRequest(ctx, id, extra);
  } finally {
    inFlight.delete(id);
  }
}

// Every approval, human or policy, names who or what granted it in the audit history.
function approvalTrailers(approval: ApprovalRecord | undefined): string[] {
  if (!approval) return [];
  const level = `Codex-Relay-Approval-Level: ${approval.level}`;
  if (approval.approved_by === null) return [level, `Codex-Relay-Approval: none (${oneLine(approval.detail, 400)})`];
  return [level, `Codex-Relay-Approved-By: ${oneLine(approval.approved_by, 200)} (${approval.via})`];
}

async function commitRequest(ctx: RelayContext, id: string, extra: readonly string[]): Promise<void> {
  const { layout } = ctx;
  const sources = [layout.request(id), layout.result(id, "md"), layout.result(id, "json"), layout.log(id), ...extra];
  const files: { path: string; content: string }[] = [];
  for (const source of sources) {
    const where = source.startsWith(layout.inbox) ? path.basename(source) : posixRelative(layout.workspace, source);
    try {
      files.push({ path: `delegations/${id}/${where}`, content: ctx.redactor.redact(readRegularFile(source)) });
    } catch {
      // a deleted (cancelled) request or a run without events has fewer files: commit what exists
    }
  }
  const result = JSON.parse((await readFile(layout.result(id, "json"), "utf8").catch(() => "{}")) || "{}") as {
    status?: string;
    summary?: string;
    approval?: ApprovalRecord;
  };
  const trailers = [`Codex-Relay-Request: ${id}`, ...approvalTrailers(result.approval)];
  const message = ctx.redactor.redact(`delegation ${id}: ${result.status ?? "unknown"}\n\n${result.summary ?? ""}\n\n${trailers.join("\n")}\n`);
  try {
    const outcome = await commitToAudit({ workspace: layout.workspace, files, message, now: ctx.now(), unlessPresent: `delegations/${id}` });
    if ("commit" in outcome) {
      markSeenInAudit(layout.workspace, id);
      ctx.logger.log("info", "audit committed", { id, commit: outcome.commit.slice(0, 12) });
    } else ctx.logger.log("info", "audit skipped", { id, message: outcome.skipped });
  } catch (error) {
    ctx.logger.log("warn", "audit failed", { id, message: (error as Error).message });
  }
}

/**
 * A file's text; a FIFO or device under a request's name is refused, never waited on (it would hold
 * the commit forever). Synchronous: four small files per request, where the thread pool took four
 * round trips each.
 */
function readRegularFile(file: string): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new RelayError("invalid_request", `${path.basename(file)} is not a regular file`);
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}
