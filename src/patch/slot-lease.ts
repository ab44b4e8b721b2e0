// Cross-process leases on pool slots: `<root>/slot-<n>.lease`, created with O_EXCL, so a daemon
// and a `codex-relay run` beside it never prepare the same slot. A lease whose process is gone is
// taken over. The process start time guards against a reused pid; the token against a restarted
// daemon (e.g. in a container) that got the same pid as the one that died.
import { randomBytes } from "node:crypto";
import { link, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { isProcessAlive } from "../util/process-alive.js";

const PROCESS_TOKEN = randomBytes(8).toString("hex");
/** How long a lease file may stay empty or torn (its writer between create and write). */
const TORN_LEASE_GRACE_MS = 10_000;
/** Retry period for slots leased by another process (`codex-relay run` beside the daemon). */
const FOREIGN_LEASE_POLL_MS = 250;

interface LeaseRecord {
  pid: number;
  token?: string;
  start?: string | null;
}

type LeaseHolder = { record: LeaseRecord | null; ageMs: number };

export function slotLeaseFile(root: string, slot: number): string {
  return path.join(root, `slot-${slot}.lease`);
}

/** Takes the lease for this process; false while a live process (this one included) holds it. */
export async function takeLease(file: string): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const mine: LeaseRecord = { pid: process.pid, token: PROCESS_TOKEN, start: await processStart(process.pid) };
    try {
      await writeFile(file, `${JSON.stringify(mine)}\n`, { flag: "wx" });
      return true;
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
    }
    const holder = await readLease(file);
    if (holder === "gone") continue;
    if (await leaseAlive(holder)) return false;
    // Move the dead lease aside: a rename is atomic, so if two processes take over at once and
    // one moves the other's fresh lease instead, it sees a live holder and puts it back.
    const aside = `${file}.${process.pid}.${PROCESS_TOKEN}.stale`;
    try {
      await rename(file, aside);
    } catch (error) {
      if (errorCode(error) === "ENOENT") continue;
      throw error;
    }
    const moved = await readLease(aside);
    if (moved !== "gone" && (await leaseAlive(moved))) await link(aside, file).catch(() => undefined);
    await rm(aside, { force: true });
  }
  return false;
}

/** Deletes the lease if this process holds it; another holder's lease is left alone. */
export async function dropLease(file: string): Promise<void> {
  const holder = await readLease(file);
  if (holder !== "gone" && holder.record?.pid === process.pid && holder.record.token === PROCESS_TOKEN) {
    await rm(file, { force: true });
  }
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

async function readLease(file: string): Promise<"gone" | LeaseHolder> {
  try {
    const [text, info] = await Promise.all([readFile(file, "utf8"), stat(file)]);
    let record: LeaseRecord | null = null;
    try {
      const parsed = JSON.parse(text) as Partial<LeaseRecord>;
      if (Number.isInteger(parsed.pid)) record = parsed as LeaseRecord;
    } catch {
      record = null; // torn: judged by its age below
    }
    return { record, ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if (errorCode(error) === "ENOENT") return "gone";
    throw error;
  }
}

async function leaseAlive(holder: LeaseHolder): Promise<boolean> {
  const { record } = holder;
  if (record === null) return holder.ageMs < TORN_LEASE_GRACE_MS;
  if (record.pid === process.pid) return record.token === PROCESS_TOKEN;
  const start = await processStart(record.pid);
  if (typeof record.start === "string" && start !== null) return start === record.start;
  return isProcessAlive(record.pid);
}

/** The process's start time in clock ticks since boot (Linux /proc), or null where unknown. */
async function processStart(pid: number): Promise<string | null> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  if (stat === null) return null;
  // Fields after the command name, which may itself contain spaces and parentheses.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}
