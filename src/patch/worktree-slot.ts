// The git side of one pool slot: is the folder still a worktree of the Builder's repository,
// bring it to a base warm (rewrite only what differs) or rebuild it cold, put it on its branch.
import { readFile, realpath, rm } from "node:fs/promises";
import path from "node:path";
import { RelayError } from "../errors.js";
import { runGit } from "../git/run-git.js";

/** Unregisters and deletes a sandbox worktree (pool resize, config change, tests). */
export async function removeWorktree(repo: string, dir: string): Promise<void> {
  await runGit(["worktree", "remove", "--force", "--force", dir], { cwd: repo, allowFailure: true });
  await rm(dir, { recursive: true, force: true });
  await runGit(["worktree", "remove", "--force", dir], { cwd: repo, allowFailure: true }); // registration of a folder that was already gone
}

/**
 * Warm path: brings an existing slot to `base`; false when `dir` is not a usable worktree of the
 * repository whose git folder is `commonDir` (or git cannot switch it) and must be rebuilt.
 */
export async function switchSlotToBase(dir: string, commonDir: string, base: string, signal?: AbortSignal): Promise<boolean> {
  const gitDir = await slotGitDir(dir, commonDir);
  if (gitDir === null) return false;
  try {
    // We hold the slot's lease, so a lock left here belongs to a process that died mid-command.
    await rm(path.join(gitDir, "index.lock"), { force: true });
    await detachAtBase(dir, base, signal);
    return true;
  } catch (error) {
    if (signal?.aborted) throw error;
    return false; // a worktree git cannot switch any more is rebuilt from scratch
  }
}

// `checkout --force` rewrites only files that differ from base (the index knows which); `clean`
// without -x removes what a previous patch created but keeps ignored files (node_modules).
export async function detachAtBase(dir: string, base: string, signal?: AbortSignal): Promise<void> {
  await runGit(["checkout", "--quiet", "--force", "--detach", base], { cwd: dir, signal });
  await runGit(["clean", "-ffdq"], { cwd: dir, signal });
}

/** Cold path: a fresh worktree at `base`, whatever was in `dir` before. */
export function recreateSlot(repo: string, dir: string, base: string, signal?: AbortSignal): Promise<void> {
  return oneAtATime(path.resolve(repo), async () => {
    await removeWorktree(repo, dir);
    await runGit(["worktree", "add", "--quiet", "--detach", dir, base], { cwd: repo, signal });
  });
}

// `git worktree add` reads every registered worktree's files; one still being added next to it
// has a folder but no `commondir` yet, and git fails ("failed to read …/commondir"). So changes
// to one repository's registrations run one after another.
const registering = new Map<string, Promise<unknown>>();
function oneAtATime<T>(repo: string, work: () => Promise<T>): Promise<T> {
  const run = (registering.get(repo) ?? Promise.resolve()).then(work, work);
  const settled = run.catch(() => undefined);
  registering.set(repo, settled);
  void settled.then(() => {
    if (registering.get(repo) === settled) registering.delete(repo);
  });
  return run;
}

/** Creates or resets `branch` at `base` and checks it out without touching the files. */
export async function checkoutSandboxBranch(dir: string, branch: string, base: string): Promise<void> {
  const { exitCode, stderr } = await runGit(["branch", "--force", branch, base], { cwd: dir, allowFailure: true });
  if (exitCode !== 0) {
    throw new RelayError("internal_error", `Cannot create the sandbox branch ${branch}: ${stderr.trim()}`);
  }
  await runGit(["symbolic-ref", "-m", "codex-relay: sandbox", "HEAD", `refs/heads/${branch}`], { cwd: dir });
}

/** The full sha of `rev` as a commit. */
export async function resolveCommit(repo: string, rev: string): Promise<string> {
  const { stdout, exitCode } = await runGit(["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`], { cwd: repo, allowFailure: true });
  if (exitCode !== 0) throw new RelayError("internal_error", `The base commit ${rev} does not exist in ${repo}.`);
  return stdout.trim();
}

/** Worktrees git lists as prunable (their folder is gone). */
export async function prunableWorktrees(repo: string): Promise<string[]> {
  const { stdout } = await runGit(["worktree", "list", "--porcelain", "-z"], { cwd: repo });
  const stale: string[] = [];
  for (const record of stdout.split("\0\0")) {
    const fields = record.split("\0");
    const where = fields.find((f) => f.startsWith("worktree "));
    if (where !== undefined && fields.some((f) => f.startsWith("prunable"))) stale.push(where.slice("worktree ".length));
  }
  return stale;
}

/** The slot's git folder when `dir` is a worktree of the repository whose git folder is `commonDir`. */
async function slotGitDir(dir: string, commonDir: string): Promise<string | null> {
  const dotGit = await readFile(path.join(dir, ".git"), "utf8").catch(() => null);
  const match = dotGit === null ? null : /^gitdir: (.+)$/m.exec(dotGit);
  if (match?.[1] === undefined) return null;
  const gitDir = await realpath(path.resolve(dir, match[1].trim())).catch(() => null);
  if (gitDir === null || path.dirname(gitDir) !== path.join(commonDir, "worktrees")) return null;
  // The registration must point back at this folder, or git would treat it as another worktree's.
  const back = await readFile(path.join(gitDir, "gitdir"), "utf8").catch(() => null);
  const realDir = await realpath(dir);
  if (back === null || path.resolve(back.trim()) !== path.join(realDir, ".git")) return null;
  const { stdout, exitCode } = await runGit(["rev-parse", "--path-format=absolute", "--git-common-dir", "--show-toplevel"], { cwd: dir, allowFailure: true });
  const [common, top] = stdout.trim().split("\n");
  if (exitCode !== 0 || common === undefined || top === undefined) return null;
  return (await realpath(common).catch(() => "")) === commonDir && top === realDir ? gitDir : null;
}
