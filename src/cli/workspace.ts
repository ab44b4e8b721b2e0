// Which workspace a command acts on: --workspace, else the git repository around the current
// folder (found by walking up to a `.git`, without spawning git), else the current folder. A relay
// lives only in a folder inside a git repository or one already set up for it (codex-relay.toml or
// .autonomous_runs): a mistyped or wrong folder never gets a relay folder by mistake.
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { RelayError } from "../errors.js";
import { layoutFor, RUNS_DIR } from "../protocol/layout.js";

export function resolveWorkspace(flags: { readonly workspace?: string | undefined }, cwd: string): string {
  if (flags.workspace !== undefined) return path.resolve(cwd, flags.workspace);
  return gitRoot(cwd) ?? path.resolve(cwd);
}

/** The folder around `dir` (itself included) that holds a `.git`, or null outside any git repository. */
function gitRoot(dir: string): string | null {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (existsSync(path.join(at, ".git"))) return at;
    if (path.dirname(at) === at) return null;
  }
}

/** Whether a relay may live in `dir`: inside a git repository, or set up as a workspace already (`init`, or an earlier run). */
export function mayHoldRelay(dir: string): boolean {
  return gitRoot(dir) !== null || existsSync(layoutFor(dir).configFile) || existsSync(path.join(dir, RUNS_DIR));
}

/**
 * The workspace of every command but `init` (which sets one up) and `hook` (which never fails): it
 * must exist, so a mistyped --workspace is an error and never a folder created on the way, and it
 * must be able to hold a relay (mayHoldRelay). `anyFolder`: only the first (doctor, which reports
 * on a folder outside git rather than refusing it).
 */
export function existingWorkspace(flags: { readonly workspace?: string | undefined }, cwd: string, options: { readonly anyFolder?: boolean } = {}): string {
  const dir = resolveWorkspace(flags, cwd);
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) {
    throw new RelayError("workspace_not_found", stat ? `workspace ${dir} is a file, not a folder` : `workspace ${dir} does not exist; nothing was written`);
  }
  if (options.anyFolder || mayHoldRelay(dir)) return dir;
  throw new RelayError("not_a_workspace", `${dir} is not in a git repository and not a codex-relay workspace (no codex-relay.toml, no ${RUNS_DIR}/); nothing was written`);
}
