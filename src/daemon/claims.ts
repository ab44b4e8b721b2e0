// Exclusive claims of PROTOCOL.md §3.2: `<relay>/claims/<id>.json`, one lease each (util/lease.ts):
// created exclusively so that of two daemons exactly one wins, kept fresh by a heartbeat, and
// recovered when its owner is gone.
import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import os from "node:os";
import type { Layout } from "../protocol/layout.js";
import { breakLease, createLease, leaseHeld, readLease, releaseLease, rewriteLeaseSync, touchLease, type FoundLease, type LeaseRecord } from "../util/lease.js";
import { isSameProcess, processStart } from "../util/process-alive.js";

/** "request": the daemon works on the request itself; "codex": it only waits on the request's Codex run. */
export type ClaimPhase = "request" | "codex";

interface ClaimFields {
  readonly id: string;
  /** 1 for the first run; more after a daemon died in the request's own work (see attempt-accounting.ts). */
  readonly attempt: number;
  /** What the owner is doing; absent in claims of older versions. */
  readonly phase?: ClaimPhase;
  /** Codex's pid (= its process group) once it runs, so a successor can kill an orphan. */
  readonly codex_pid?: number;
  /** Codex's process start time: a successor kills that process only, never a reuser of its pid. */
  readonly codex_start?: string | null;
}

/** A claim as its owner wrote it: the lease's owner fields (pid, host, start, token, …) and the run's. */
export type Claim = LeaseRecord<ClaimFields>;
/** A claim found on disk (fields other than pid may be missing in files of older versions). */
export type FoundClaim = FoundLease<ClaimFields>;
/** What is known of a claim taken away from its dead owner. */
export type DeadClaim = Partial<Claim> & { readonly id: string; readonly attempt: number };

export async function tryClaim(layout: Layout, id: string, attempt: number, now: Date): Promise<Claim | undefined> {
  const lease = await createLease<ClaimFields>(layout.claim(id), { id, attempt, phase: "request" }, now);
  return lease?.record;
}

/** Touch the claim (see touchLease: a touch cannot bring a released claim back). */
export async function heartbeat(layout: Layout, id: string, now: Date): Promise<void> {
  await touchLease(layout.claim(id), now);
}

/** Record Codex's pid (and the phase "codex") in the claim. Synchronous: it runs in the spawn callback, before any release. */
export function recordCodexPid(layout: Layout, claim: Claim, codexPid: number, now: Date): void {
  rewriteLeaseSync({ file: layout.claim(claim.id), record: claim }, { codex_pid: codexPid, codex_start: processStart(codexPid), phase: "codex" }, now);
}

/** Record the phase in the claim, from the claim as first written (a Codex pid recorded since is dropped: that run is over). */
export function recordPhase(layout: Layout, claim: Claim, phase: ClaimPhase, now: Date): void {
  rewriteLeaseSync({ file: layout.claim(claim.id), record: claim }, { phase }, now);
}

/** Release this claim; a claim another process took over meanwhile stays. */
export async function releaseClaim(layout: Layout, claim: Claim): Promise<void> {
  await releaseLease({ file: layout.claim(claim.id), record: claim });
}

/** A claim as found on disk; undefined when there is none or it is not a claim record. */
export async function readClaim(layout: Layout, id: string): Promise<FoundClaim | undefined> {
  const found = await readLease<ClaimFields>(layout.claim(id)).catch(() => undefined); // unreadable: as if gone, as `status` wants
  return found?.record ? found : undefined;
}

export async function listClaimIds(layout: Layout): Promise<string[]> {
  const names = await readdir(layout.claims).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith(".json")).map((name) => name.slice(0, -5));
}

/** A claim whose owner is gone, by the lease rule: a dead or reused pid, or a heartbeat older than `staleMs`. */
export function isStale(claim: FoundClaim, now: Date, staleMs: number): boolean {
  return !leaseHeld(claim, { now, staleMs });
}

/**
 * Take a stale claim away from its dead owner. The removal is atomic (see breakLease), so when two
 * daemons recover the same claim only one gets it. Returns the dead run's claim, or undefined
 * while the claim is held or if another recoverer won.
 */
export async function takeOverStale(layout: Layout, id: string, now: Date, staleMs: number): Promise<DeadClaim | undefined> {
  const found = await readLease<ClaimFields>(layout.claim(id)).catch(() => undefined); // unreadable: left alone, one bad file must not stop the sweep
  if (!found || !isStale(found, now, staleMs)) return undefined;
  if (!(await breakLease(layout.claim(id), found, now))) return undefined;
  const claim: Partial<Claim> = found.record ?? {}; // torn: nothing known but its id
  return { ...claim, id, attempt: typeof claim.attempt === "number" ? claim.attempt : 1 };
}

/**
 * Kill the Codex a dead daemon left running (its group outlives the daemon until it next writes
 * to its closed stdout). Only on this host, and only if that pid still is that codex process.
 */
export function killOrphanedCodex(claim: DeadClaim): boolean {
  const pid = claim.codex_pid;
  if (!pid || claim.host !== os.hostname() || !isSameProcess(pid, claim.codex_start)) return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (!/codex/.test(cmdline.split("\0")[0] ?? "")) return false; // the pid was reused
  } catch {
    // no /proc (macOS): the group id of a just-dead daemon's child is unlikely to be reused
  }
  try {
    process.kill(-pid, "SIGKILL");
    return true;
  } catch {
    return false;
  }
}
