// Which workspace a command acts on: --workspace, else the git repository around the current
// folder (found by walking up to a `.git`, without spawning git), else the current folder.
import { existsSync } from "node:fs";
import path from "node:path";
import type { FlagValue } from "./parse-cli.js";

export function resolveWorkspace(flags: Readonly<Record<string, FlagValue>>, cwd: string): string {
  if (typeof flags.workspace === "string") return path.resolve(cwd, flags.workspace);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, ".git"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}
