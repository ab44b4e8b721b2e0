// One approval, one patch run: the patch request queued for a route decision is recorded under
// `.relay/approvals/<sha256 of ROUTE_DECISION.md>`, so a second ask for the same approval (the
// daemon's trigger and `codex-relay patch`, in either order) joins the request still queued or
// running instead of queueing another. A finished request is not joined: asking again re-runs.
import { mkdir } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { RelayError } from "../errors.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { acquireLease, releaseLease } from "../util/lease.js";
import { pathExists } from "../util/path-exists.js";
import { readIfExists } from "../util/read-if-exists.js";
import { sha256 } from "../util/sha256.js";
import { ID_PATTERN, type Layout } from "./layout.js";
import type { Redactor } from "../security/redact.js";
import { publishRequest } from "./publish-request.js";

export interface ApprovedPatch {
  readonly id: string;
  /** True when `id` is a request already queued or running for this approval. */
  readonly joined: boolean;
  /** sha256 of the route decision the request was asked for; null when there is none yet. */
  readonly approval: string | null;
}

// The lock is held only while checking, publishing and recording: milliseconds.
const LOCK_WAIT_MS = 10_000;
const LOCK_RETRY_MS = 25;

/** Publish the patch request `markdown` unless one for the current route decision is still queued or running. */
export async function publishApprovedPatch(layout: Layout, markdown: string, now: Date, redactor: Redactor): Promise<ApprovedPatch> {
  const route = await readIfExists(layout.routeDecision);
  // No route decision: nothing to join; the run itself reports the missing prerequisite.
  if (route === null) return { id: await publishRequest(layout, markdown, now, redactor), joined: false, approval: null };
  const approval = sha256(route);
  const record = layout.approval(approval);
  await mkdir(layout.approvals, { recursive: true });
  const lock = await lockApproval(`${record}.lock`);
  try {
    const existing = (await readIfExists(record))?.trim() ?? "";
    if (ID_PATTERN.test(existing) && (await isOpen(layout, existing))) return { id: existing, joined: true, approval };
    const id = await publishRequest(layout, markdown, now, redactor);
    await writeFileAtomic(record, `${id}\n`, layout.tmp);
    return { id, joined: false, approval };
  } finally {
    await releaseLease(lock);
  }
}

// Queued or running: its request is there and its RESULT (the commit point) is not.
async function isOpen(layout: Layout, id: string): Promise<boolean> {
  return (await pathExists(layout.request(id))) && !(await pathExists(layout.result(id, "json")));
}

async function lockApproval(file: string) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const lease = await acquireLease(file, {}, { now: new Date() });
    if (lease) return lease;
    if (Date.now() > deadline) {
      throw new RelayError("workspace_locked", `another codex-relay process has held ${file} for over ${LOCK_WAIT_MS / 1000} s`, {
        hint: "Another process is queueing a patch for the same approval; wait for it, or remove the lock file if no codex-relay process is running.",
      });
    }
    await sleep(LOCK_RETRY_MS);
  }
}
