// Cross-process leases on pool slots: `<root>/slot-<n>.lease`, one lease each (util/lease.ts), so
// a daemon and a `codex-relay run` beside it never prepare the same slot. A lease whose owner is
// gone (a dead pid, or a pid reused by a later process) is taken over.
import path from "node:path";
import { acquireLease, releaseLease, type Lease } from "../util/lease.js";

/** Retry period for slots leased by another process (`codex-relay run` beside the daemon). */
const FOREIGN_LEASE_POLL_MS = 250;

/** The slot leases this process holds, by file: dropLease releases only these. */
const held = new Map<string, Lease<object>>();

export function slotLeaseFile(root: string, slot: number): string {
  return path.join(root, `slot-${slot}.lease`);
}

/** Takes the lease for this process; false while a live process (this one included) holds it. */
export async function takeLease(file: string, now = new Date()): Promise<boolean> {
  const lease = await acquireLease(file, {}, { now });
  if (lease) held.set(file, lease);
  return lease !== undefined;
}

/** Deletes the lease if this process holds it; another holder's lease is left alone. */
export async function dropLease(file: string): Promise<void> {
  const lease = held.get(file);
  if (!lease) return;
  held.delete(file);
  await releaseLease(lease);
}

/**
 * Resolves when a waker in `wakers` is called (a slot of this process was released), after a poll
 * period (a lease of another process may have gone) or early on abort: the caller checks the signal.
 */
export function waitForRelease(wakers: Set<() => void>, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      wakers.delete(done);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, FOREIGN_LEASE_POLL_MS);
    wakers.add(done);
    signal?.addEventListener("abort", done, { once: true });
  });
}
