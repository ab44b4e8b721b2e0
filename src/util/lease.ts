// One lease for every exclusive file the relay keeps (the daemon lock, request claims, sandbox
// slots): a JSON file naming its owner process, created exclusively, released by its token, and
// held under one liveness rule (`leaseHeld`).
import { randomBytes } from "node:crypto";
import { closeSync, ftruncateSync, linkSync, openSync, readSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { link, open, rm, stat, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { isSameProcess, processStart } from "./process-alive.js";
import { errnoCode } from "./not-found.js";
import { readIfExistsSync } from "./read-if-exists.js";

/** How long a lease file that is not a lease record (torn by a writer of an older version) stays held, from its mtime. */
const TORN_LEASE_GRACE_MS = 10_000;
/** How long a `.break` marker may stay before it counts as left by a breaker that died holding it. */
const ABANDONED_BREAK_MS = 10_000;
const ACQUIRE_TRIES = 3;
/** Enough of a lease file to read its token: leases are a few hundred bytes. */
const REWRITE_READ_BYTES = 8192;

/** Who holds a lease: every lease file carries these fields beside its kind's own. */
export interface LeaseOwner {
  readonly pid: number;
  readonly host: string;
  /** The owner's process start time (see `processStart`), null where unknown: it tells a reused pid apart. */
  readonly start: string | null;
  /** Random for each acquisition: only the acquirer releases the lease. */
  readonly token: string;
  readonly started_at: string;
  /** Time of the last rewrite; heartbeats touch the file's mtime instead (see `touchLease`). */
  readonly heartbeat_at: string;
}

export type LeaseRecord<T extends object> = LeaseOwner & T;

/** A lease this process holds. */
export interface Lease<T extends object> {
  readonly file: string;
  readonly record: LeaseRecord<T>;
}

/** A lease file as read. Files of older versions or written by hand may lack fields: only pid is sure. */
export interface FoundLease<T extends object> {
  /** null: the file is not a lease record (torn, or not JSON). */
  readonly record: (Partial<LeaseRecord<T>> & { readonly pid: number }) | null;
  /** The owner's last sign of life, in ms: the later of `heartbeat_at` and the file's mtime. */
  readonly beatAt: number;
  /** The file's text and inode: together they tell this generation of the file from a later one. */
  readonly text: string;
  readonly ino: number;
}

export interface LivenessOptions {
  readonly now: Date;
  /** A lease whose heartbeat is older than this is stale; omit for leases without heartbeats. */
  readonly staleMs?: number;
}

/** Tokens of the leases this process holds: a lease naming our pid is held only if its token is here. */
const heldHere = new Set<string>();
let ownStart: string | null | undefined;

/**
 * The one liveness rule. A lease is held while its owner process is alive and is the same process
 * (same start time, so a reused pid is not mistaken for it) and, where heartbeats are used, its
 * heartbeat is fresh. On another host the pid tells nothing: there only the heartbeat decides.
 */
export function leaseHeld(found: FoundLease<object>, options: LivenessOptions): boolean {
  const age = options.now.getTime() - found.beatAt;
  const { record } = found;
  if (record === null) return age < TORN_LEASE_GRACE_MS;
  if (options.staleMs !== undefined && age > options.staleMs) return false;
  if (record.host !== undefined && record.host !== os.hostname()) return true;
  // Our own pid: a predecessor with the same pid (a restarted container) is not us.
  if (record.pid === process.pid) return record.token !== undefined && heldHere.has(record.token);
  return isSameProcess(record.pid, record.start);
}

/** Reads a lease file; undefined when there is none. */
export async function readLease<T extends object>(file: string): Promise<FoundLease<T> | undefined> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw error;
  }
  try {
    // Text and inode from one open file: both belong to the same generation even while it is replaced.
    const [text, info] = await Promise.all([handle.readFile("utf8"), handle.stat()]);
    const record = parseRecord<T>(text);
    const beat = record === null ? 0 : Date.parse(String(record.heartbeat_at)) || 0;
    return { record, beatAt: Math.max(beat, info.mtimeMs), text, ino: info.ino };
  } finally {
    await handle.close();
  }
}

/** Creates the lease if its file does not exist; undefined if it does, whoever holds it. */
export async function createLease<T extends object>(file: string, data: T, now: Date): Promise<Lease<T> | undefined> {
  ownStart ??= processStart(process.pid);
  const stamp = now.toISOString();
  const token = randomBytes(8).toString("hex");
  const record: LeaseRecord<T> = { ...data, pid: process.pid, host: os.hostname(), start: ownStart, token, started_at: stamp, heartbeat_at: stamp };
  // Written whole under a temp name, then hard-linked into place: a lease never exists half-written,
  // and link, like O_EXCL, fails when the name is taken. Synchronous: a claim is made on the path
  // from a request's detection to Codex's spawn, where each of the thread pool's round trips (open,
  // write, close, link, lstat, unlink) could wait for a busy machine to wake a thread.
  const tmp = tempName(file);
  writeFileSync(tmp, serialize(record));
  heldHere.add(token); // before the link: a contender in this process must see it held at once
  try {
    linkSync(tmp, file);
    return { file, record };
  } catch (error) {
    heldHere.delete(token);
    if (errnoCode(error) === "EEXIST") return undefined;
    throw error;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Takes the lease, taking over a stale one; undefined while its holder is alive. */
export async function acquireLease<T extends object>(file: string, data: T, options: LivenessOptions): Promise<Lease<T> | undefined> {
  for (let tries = 0; tries < ACQUIRE_TRIES; tries += 1) {
    const lease = await createLease(file, data, options.now);
    if (lease) return lease;
    const found = await readLease(file);
    if (found === undefined) continue; // released meanwhile
    if (leaseHeld(found, options)) return undefined;
    // Whoever breaks it, the exclusive create on the next round decides who holds it.
    await breakLease(file, found, options.now);
  }
  return undefined;
}

/**
 * Removes the stale lease `found` describes if the file still is that lease. Of many callers with
 * the same `found` exactly one gets true. Breakers go one at a time through `<file>.break`, a hard
 * link to the lease being broken: linking fails while another breaker works, and the linked file
 * shows whether the lease is still the generation judged stale or a new one to leave alone.
 */
export async function breakLease(file: string, found: FoundLease<object>, now: Date): Promise<boolean> {
  const marker = `${file}.break`;
  try {
    await link(file, marker);
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return false; // broken or released already
    if (errnoCode(error) !== "EEXIST") throw error;
    await clearAbandonedMarker(marker, now);
    return false;
  }
  try {
    const linked = await readLease(marker);
    if (linked?.ino !== found.ino || linked.text !== found.text) return false;
    // Still the stale generation, and no one else may replace it while the marker stands.
    await rm(file, { force: true });
    return true;
  } finally {
    await rm(marker, { force: true });
  }
}

/**
 * Removes the lease if it still is this acquisition (same token): one taken over meanwhile stays.
 * Between the read and the removal only a breaker that judged a live lease stale (its heartbeat
 * missed for `staleMs`) could step in.
 */
export async function releaseLease(lease: Lease<object>): Promise<void> {
  try {
    // Synchronous, like createLease: a few small syscalls, where the thread pool took seven round trips.
    const text = readIfExistsSync(lease.file);
    if (text !== null && parseRecord(text)?.token === lease.record.token) rmSync(lease.file, { force: true });
  } finally {
    heldHere.delete(lease.record.token); // after the removal: until then a contender here sees it held
  }
}

/**
 * The heartbeat: touch the file's mtime. A touch, not a rewrite, so a heartbeat racing the
 * release cannot bring the released lease back (utimes on a removed file fails instead).
 */
export async function touchLease(file: string, now: Date): Promise<void> {
  try {
    await utimes(file, now, now);
  } catch (error) {
    if (errnoCode(error) !== "ENOENT") throw error;
  }
}

/**
 * Rewrites the lease's own fields, keeping its owner and token. Synchronous for callers that must
 * finish before anything can release the lease (a child's spawn callback). In place, not a temp
 * file renamed over it: where creating a file is slow (ext4 without a journal scans past every
 * recently deleted inode) each new file cost the daemon about a millisecond, and a claim is
 * rewritten twice per request. A reader that meets the rewrite half done sees a torn lease, which
 * is held (see leaseHeld). Only this acquisition's own file is written: a lease released, broken
 * or taken over meanwhile is left as it is (a rename would have brought it back or overwritten it).
 */
export function rewriteLeaseSync<T extends object>(lease: Lease<T>, data: Partial<T>, now: Date): Lease<T> {
  const record: LeaseRecord<T> = { ...lease.record, ...data, heartbeat_at: now.toISOString() };
  let fd: number;
  try {
    fd = openSync(lease.file, "r+");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return lease; // released or broken: nothing of ours to rewrite
    throw error;
  }
  try {
    const found = Buffer.allocUnsafe(REWRITE_READ_BYTES);
    const onDisk = parseRecord<T>(found.toString("utf8", 0, readSync(fd, found, 0, found.length, 0)));
    if (onDisk?.token !== lease.record.token) return lease; // another owner's lease now
    const text = Buffer.from(serialize(record));
    writeSync(fd, text, 0, text.length, 0);
    ftruncateSync(fd, text.length);
  } finally {
    closeSync(fd);
  }
  return { file: lease.file, record };
}

/** A breaker that died between its link and its removal would block every takeover: clear its marker. */
async function clearAbandonedMarker(marker: string, now: Date): Promise<void> {
  const info = await stat(marker).catch(() => undefined); // removed meanwhile: nothing to clear
  // ctime, not mtime: linking sets it, and a touch of the lease before its owner died does not count.
  if (info && now.getTime() - info.ctimeMs > ABANDONED_BREAK_MS) await rm(marker, { force: true });
}

function parseRecord<T extends object>(text: string): FoundLease<T>["record"] {
  try {
    const value = JSON.parse(text) as { pid?: unknown } | null;
    // Checked by hand, not with zod: the editor hook reads the daemon lock and must stay light.
    return typeof value === "object" && value !== null && Number.isInteger(value.pid) ? (value as FoundLease<T>["record"]) : null;
  } catch {
    return null; // torn or not JSON: judged by its age (see leaseHeld)
  }
}

/**
 * A sibling of the lease file (same filesystem, so link and rename work), hidden and unique; it
 * names its writer's pid, so one left by a killed writer can be told from one being written.
 */
function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

function serialize(record: object): string {
  return `${JSON.stringify(record)}\n`;
}
