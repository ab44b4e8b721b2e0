// A child in its own process group, stdin closed, output streamed (not buffered), and a way to
// signal the whole group: Codex and verification commands both start helpers that must not
// outlive them. Shared by the Codex runner and the command runner. node:child_process, not execa:
// on the request path execa cost the daemon ~2.5 MB of resident set and CPU on every spawn, and
// none of its features (buffering, line splitting, a termination ladder) is used here.
import { spawn } from "node:child_process";

/** How the child ended: an exit code, a signal, or no start at all (`cause`: ENOENT, EACCES). */
export interface GroupExit {
  readonly exitCode: number | undefined;
  readonly signal: NodeJS.Signals | undefined;
  readonly failed: boolean;
  readonly cause?: Error;
  readonly shortMessage?: string;
}

export function spawnInGroup(file: string, args: readonly string[], options: { cwd: string; env: Record<string, string> }) {
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // own process group: kill(-pid) reaches everything it started
    windowsHide: true,
  });
  const exited = new Promise<GroupExit>((resolve) => {
    child.once("error", (error) => {
      // Never started: no "close" need follow. Started (a failed kill): "close" still says how it ended.
      if (child.pid === undefined) resolve({ exitCode: undefined, signal: undefined, failed: true, cause: error, shortMessage: error.message });
    });
    child.once("close", (code, signal) => {
      resolve({ exitCode: code ?? undefined, signal: signal ?? undefined, failed: code !== 0 });
    });
  });
  const killGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is already gone
    }
  };
  return { child, exited, killGroup };
}
