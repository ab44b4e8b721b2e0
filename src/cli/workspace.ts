// Which workspace a command acts on: --workspace, else the git repository around the current
// folder (found by walking up to a `.git`, without spawning git), else the current folder.
import { existsSync } from "node:fs";
import path from "node:path";

export function resolveWorkspace(flags: { readonly workspace?: string | undefined }, cwd: string): string {
  if (flags.workspace !== undefined) return path.resolve(cwd, flags.workspace);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, ".git"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}
