// Which workspace a command acts on: --workspace, else the git repository around the current
// folder (found by walking up to a `.git`, without spawning git), else the current folder.
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { RelayError } from "../errors.js";

export function resolveWorkspace(flags: { readonly workspace?: string | undefined }, cwd: string): string {
  if (flags.workspace !== undefined) return path.resolve(cwd, flags.workspace);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, ".git"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

/**
 * The workspace of every command but `init` (which sets one up) and `hook` (which never fails):
 * it must exist, so a mistyped --workspace is an error and never a folder created on the way.
 */
export function existingWorkspace(flags: { readonly workspace?: string | undefined }, cwd: string): string {
  const dir = resolveWorkspace(flags, cwd);
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (stat?.isDirectory()) return dir;
  throw new RelayError("workspace_not_found", stat ? `workspace ${dir} is a file, not a folder` : `workspace ${dir} does not exist; nothing was written`);
}
