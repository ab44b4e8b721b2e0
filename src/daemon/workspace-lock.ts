// One daemon per workspace: `<relay>/daemon.lock`, created with `wx`. A lock left by a dead
// daemon on this host is taken over; a live one makes the second daemon fail with its pid.
import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { RelayError } from "../errors.js";
import type { Layout } from "../protocol/layout.js";
import { isProcessAlive } from "../util/process-alive.js";

export interface WorkspaceLock {
  release(): Promise<void>;
}

export async function acquireWorkspaceLock(layout: Layout, now: Date): Promise<WorkspaceLock> {
  const record = JSON.stringify({ pid: process.pid, host: os.hostname(), started_at: now.toISOString() });
  // Written whole under a temp name, then hard-linked into place: the lock never exists half-written.
  const tmp = path.join(layout.tmp, `daemon.lock.${process.pid}.${randomBytes(4).toString("hex")}`);
  await mkdir(layout.tmp, { recursive: true });
  await writeFile(tmp, record);
  try {
    for (let tries = 0; tries < 3; tries += 1) {
      try {
        await link(tmp, layout.lockFile);
        return { release: () => rm(layout.lockFile, { force: true }) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const holder = await readHolder(layout.lockFile);
      if (holder && (holder.host !== os.hostname() || isProcessAlive(holder.pid))) {
        throw new RelayError(
          "workspace_locked",
          `another codex-relay daemon (pid ${holder.pid} on ${holder.host}, since ${holder.started_at}) is running on ${layout.workspace}`,
        );
      }
      await rm(layout.lockFile, { force: true }); // its owner is dead: take over
    }
  } finally {
    await rm(tmp, { force: true });
  }
  throw new RelayError("workspace_locked", `could not take the lock ${layout.lockFile}`);
}

/** Whether a live daemon holds this workspace's lock. */
export async function daemonRunning(layout: Layout): Promise<boolean> {
  const holder = await readHolder(layout.lockFile);
  return holder !== undefined && (holder.host !== os.hostname() || isProcessAlive(holder.pid));
}

async function readHolder(file: string): Promise<{ pid: number; host: string; started_at: string } | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch {
    return undefined; // no lock (or an unreadable one)
  }
}
