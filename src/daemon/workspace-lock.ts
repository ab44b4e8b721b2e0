// One daemon per workspace: `<relay>/daemon.lock`, created with `wx`. A lock left by a dead
// daemon on this host is taken over; a live one makes the second daemon fail with its pid.
import { readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { setTimeout as delay } from "node:timers/promises";
import { RelayError } from "../errors.js";
import type { Layout } from "../protocol/layout.js";
import { isProcessAlive } from "./process-alive.js";

export interface WorkspaceLock {
  release(): Promise<void>;
}

export async function acquireWorkspaceLock(layout: Layout, now: Date): Promise<WorkspaceLock> {
  const record = JSON.stringify({ pid: process.pid, host: os.hostname(), started_at: now.toISOString() });
  for (let tries = 0; tries < 3; tries += 1) {
    try {
      await writeFile(layout.lockFile, record, { flag: "wx" });
      return { release: () => rm(layout.lockFile, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    // A lock caught between its creation and its write reads as empty: look once more.
    const holder = (await readHolder(layout.lockFile)) ?? (await delay(100).then(() => readHolder(layout.lockFile)));
    if (holder && (holder.host !== os.hostname() || isProcessAlive(holder.pid))) {
      throw new RelayError(
        "workspace_locked",
        `another codex-relay daemon (pid ${holder.pid} on ${holder.host}, since ${holder.started_at}) is running on ${layout.workspace}`,
      );
    }
    await rm(layout.lockFile, { force: true }); // its owner is dead: take over
  }
  throw new RelayError("workspace_locked", `could not take the lock ${layout.lockFile}`);
}

async function readHolder(file: string): Promise<{ pid: number; host: string; started_at: string } | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch {
    return undefined; // vanished or half-written: treat as free and retry
  }
}
