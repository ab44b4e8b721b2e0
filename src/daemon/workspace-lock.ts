// One daemon per workspace: `<relay>/daemon.lock`, a lease (util/lease.ts). A lock left by a
// daemon that is gone is taken over; a live one makes the second daemon fail with its pid.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { RelayError } from "../errors.js";
import type { Layout } from "../protocol/layout.js";
import { acquireLease, leaseHeld, readLease, releaseLease } from "../util/lease.js";

export interface WorkspaceLock {
  release(): Promise<void>;
}

export async function acquireWorkspaceLock(layout: Layout, now: Date): Promise<WorkspaceLock> {
  await mkdir(path.dirname(layout.lockFile), { recursive: true });
  const lease = await acquireLease(layout.lockFile, {}, { now });
  if (lease) return { release: () => releaseLease(lease) };
  const holder = await readLease(layout.lockFile);
  if (holder?.record && leaseHeld(holder, { now })) {
    const { pid, host, started_at } = holder.record;
    throw new RelayError("workspace_locked", `another codex-relay daemon (pid ${pid} on ${host}, since ${started_at}) is running on ${layout.workspace}`);
  }
  throw new RelayError("workspace_locked", `could not take the lock ${layout.lockFile}`);
}

/** Whether a live daemon holds this workspace's lock. Reads files only: the editor hook asks on every prompt. */
export async function daemonRunning(layout: Layout, now = new Date()): Promise<boolean> {
  const holder = await readLease(layout.lockFile).catch(() => undefined); // unreadable: as if there were none
  return holder !== undefined && leaseHeld(holder, { now });
}
