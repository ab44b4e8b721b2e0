// Whether a pid on this host still names a running process, and the very process it named once
// (its start time tells a reused pid apart). Reads /proc only: no child process, cheap enough for the hook.
import { readFileSync } from "node:fs";

/** Whether a pid on this host is still running (EPERM means it is, just not ours). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or null where
 * unknown (no such process, or no /proc as on macOS).
 */
export function processStart(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null; // gone, or a platform without /proc: callers fall back to the pid alone
  }
  // Fields after the command name, which may itself contain spaces and parentheses.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
}

/**
 * Whether `pid` still names the process that started at `start`. A pid reused by a process started
 * later fails; where the start time is unknown (not recorded, or no /proc) the pid alone decides.
 */
export function isSameProcess(pid: number, start: string | null | undefined): boolean {
  if (!isProcessAlive(pid)) return false;
  if (typeof start !== "string") return true;
  const now = processStart(pid);
  return now === null || now === start;
}
