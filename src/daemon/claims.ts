// Exclusive claims of PROTOCOL.md §3.2: `<relay>/claims/<id>.json`, created with `wx` so that
// of two daemons exactly one wins, refreshed by a heartbeat, recovered when its owner is gone.
import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { readFile, readdir, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Layout } from "../protocol/layout.js";
import { isProcessAlive } from "../util/process-alive.js";

export interface Claim {
  readonly id: string;
  readonly pid: number;
  readonly host: string;
  readonly started_at: string;
  /** Refreshed through the file's mtime (see `heartbeat`); this is the time of the last rewrite. */
  readonly heartbeat_at: string;
  /** 1 for the first run; more after a daemon died while running it. */
  readonly attempt: number;
  /** Codex's pid (= its process group) once it runs, so a successor can kill an orphan. */
  readonly codex_pid?: number;
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

/**
 * Touch the claim. A touch, not a rewrite: a heartbeat racing the claim's release must not bring
 * the released claim back (utimes on a removed file fails instead).
 */
export async function heartbeat(layout: Layout, id: string, now: Date): Promise<void> {
  try {
    await utimes(layout.claim(id), now, now);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

/** Record Codex's pid in the claim. Synchronous: it runs in the spawn callback, before any release. */
export function recordCodexPid(layout: Layout, claim: Claim, codexPid: number, now: Date): void {
  const tmp = path.join(layout.tmp, `${claim.id}.claim.${randomBytes(4).toString("hex")}`);
  writeFileSync(tmp, JSON.stringify({ ...claim, codex_pid: codexPid, heartbeat_at: now.toISOString() }));
  renameSync(tmp, layout.claim(claim.id));
}

export async function releaseClaim(layout: Layout, id: string): Promise<void> {
  await rm(layout.claim(id), { force: true });
}

/** A claim and the time of its last heartbeat (the later of its content and its mtime). */
export async function readClaim(layout: Layout, id: string): Promise<(Claim & { beatAt: number }) | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(layout.claim(id), "utf8"), stat(layout.claim(id))]);
    const claim = JSON.parse(text) as Claim;
    return { ...claim, beatAt: Math.max(Date.parse(claim.heartbeat_at) || 0, info.mtimeMs) };
  } catch {
    return undefined; // gone, or caught half-way through its atomic replacement
  }
}

export async function listClaimIds(layout: Layout): Promise<string[]> {
  const names = await readdir(layout.claims).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith(".json")).map((name) => name.slice(0, -5));
}

/** A claim whose owner is gone: a dead pid on this host, or a heartbeat older than `staleMs`. */
export function isStale(claim: Claim & { beatAt: number }, now: Date, staleMs: number): boolean {
  if (claim.host === os.hostname() && !isProcessAlive(claim.pid)) return true;
  return now.getTime() - claim.beatAt > staleMs;
}

/**
 * Take a stale claim away from its dead owner. The rename is atomic, so when two daemons recover
 * the same claim only one gets it. Returns the dead run's claim, or undefined if another won.
 */
export async function takeOverStale(layout: Layout, id: string): Promise<Claim | undefined> {
  const moved = path.join(layout.tmp, `${id}.stale.${randomBytes(4).toString("hex")}`);
  try {
    await rename(layout.claim(id), moved);
  } catch {
    return undefined; // someone else recovered it first
  }
  try {
    const claim = JSON.parse(await readFile(moved, "utf8")) as Partial<Claim>;
    return { ...claim, id, attempt: typeof claim.attempt === "number" ? claim.attempt : 1 } as Claim;
  } catch {
    return { id, pid: 0, host: "", started_at: "", heartbeat_at: "", attempt: 1 };
  } finally {
    await rm(moved, { force: true });
  }
}

/**
 * Kill the Codex a dead daemon left running (its group outlives the daemon until it next writes
 * to its closed stdout). Only on this host, and only if that pid still is a codex process.
 */
export function killOrphanedCodex(claim: Claim): boolean {
  const pid = claim.codex_pid;
  if (!pid || claim.host !== os.hostname() || !isProcessAlive(pid)) return false;
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
