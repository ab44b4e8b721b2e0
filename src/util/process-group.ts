// A child in its own process group, stdin closed, output streamed (not buffered), and a way to
// signal the whole group: Codex and verification commands both start helpers that must not
// outlive them. Shared by the Codex runner and the command runner.
import { execa } from "execa";

export function spawnInGroup(file: string, args: readonly string[], options: { cwd: string; env: Record<string, string> }) {
  const child = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    stdin: "ignore",
    buffer: false,
    reject: false,
    detached: true, // own process group: kill(-pid) reaches everything it started
    cleanup: true,
    windowsHide: true,
  });
  const killGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is already gone
    }
  };
  return { child, killGroup };
}
