// Remove temp files a killed process left in the relay's folders: `<relay>/tmp/` and the lease
// temps beside claims and the lock. Every writer names its temp file with its pid
// (util/atomic-write.ts, protocol/publish-request.ts, util/lease.ts); a file whose writer is gone
// is never renamed or linked into place, so it is only litter.
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Layout } from "../protocol/layout.js";
import { isProcessAlive } from "../util/process-alive.js";

// `<name>.<pid>.<8 hex>.tmp` (atomic writes, leases) or `request.<pid>.<8 hex>.md` (published requests).
const WRITER_PID = /\.(\d+)\.[0-9a-f]{8}\.(?:tmp|md)$/;

/**
 * Remove the temp files whose writer is no longer running; returns their names. Files of live
 * processes (a `delegate` publishing right now, this daemon) and names of another shape stay.
 */
export async function removeDeadTemps(layout: Layout): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of [layout.tmp, layout.claims, layout.relay]) {
    const names = await readdir(dir).catch(() => [] as string[]); // no such folder: nothing left behind
    const dead = names.filter((name) => {
      const pid = Number(WRITER_PID.exec(name)?.[1] ?? Number.NaN);
      return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isProcessAlive(pid);
    });
    await Promise.all(dead.map((name) => rm(path.join(dir, name), { force: true })));
    removed.push(...dead.map((name) => path.join(dir, name)));
  }
  return removed;
}
