// Exclusive claims of PROTOCOL.md §3.2: `<relay>/claims/<id>.json`, created with `wx` so that
// of two daemons exactly one wins, refreshed by a heartbeat, recovered when its owner is gone.
import { randomBytes } from "node:crypto";
import { readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Layout } from "../protocol/layout.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { isProcessAlive } from "./process-alive.js";

export interface Claim {
  readonly id: string;
  readonly pid: number;
  readonly host: string;
  readonly started_at: string;
  readonly heartbeat_at: string;
  /** 1 for the first run; more after a daemon died while running it. */
  readonly attempt: number;
}

export async function tryClaim(layout: Layout, id: string, attempt: number, now: Date): Promise<Claim | undefined> {
  const claim: Claim = { id, pid: process.pid, host: os.hostname(), started_at: now.toISOString(), heartbeat_at: now.toISOString(), attempt };
  try {
    await writeFile(layout.claim(id), JSON.stringify(claim), { flag: "wx" });
    return claim;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw error;
  }
}

export async function heartbeat(layout: Layout, claim: Claim, now: Date): Promise<void> {
  await writeFileAtomic(layout.claim(claim.id), JSON.stringify({ ...claim, heartbeat_at: now.toISOString() }), layout.tmp);
}

export async function releaseClaim(layout: Layout, id: string): Promise<void> {
  await rm(layout.claim(id), { force: true });
}

export async function readClaim(layout: Layout, id: string): Promise<Claim | undefined> {
  try {
    return JSON.parse(await readFile(layout.claim(id), "utf8")) as Claim;
  } catch {
    return undefined; // gone, or caught half-way through its atomic replacement
  }
}

export async function listClaimIds(layout: Layout): Promise<string[]> {
  const names = await readdir(layout.claims).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith(".json")).map((name) => name.slice(0, -5));
}

/** A claim whose owner is gone: a dead pid on this host, or a heartbeat older than `staleMs`. */
export function isStale(claim: Claim, now: Date, staleMs: number): boolean {
  if (claim.host === os.hostname() && !isProcessAlive(claim.pid)) return true;
  return now.getTime() - Date.parse(claim.heartbeat_at) > staleMs;
}

/**
 * Take a stale claim away from its dead owner. The rename is atomic, so when two daemons recover
 * the same claim only one gets it. Returns the attempt number the dead run had.
 */
export async function takeOverStale(layout: Layout, id: string): Promise<number | undefined> {
  const moved = path.join(layout.tmp, `${id}.stale.${randomBytes(4).toString("hex")}`);
  try {
    await rename(layout.claim(id), moved);
  } catch {
    return undefined; // someone else recovered it first
  }
  try {
    const claim = JSON.parse(await readFile(moved, "utf8")) as Partial<Claim>;
    return typeof claim.attempt === "number" ? claim.attempt : 1;
  } catch {
    return 1;
  } finally {
    await rm(moved, { force: true });
  }
}
