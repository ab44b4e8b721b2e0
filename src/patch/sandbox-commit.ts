// The daemon's own git writes for a patch: the commit on the sandbox branch, the ref that keeps a
// failed attempt recoverable, branch clean-up, and the opt-in merge into the Builder's branch.
// Messages go through stdin, never argv; the identity is codex-relay's, whatever the user's config.
import { RelayError } from "../errors.js";
import { runGit } from "../git/run-git.js";
import { pathExists } from "../util/path-exists.js";

const NAME = "codex-relay";
const EMAIL = "codex-relay@localhost";
// Signing would prompt for a key or a passphrase; the daemon has neither.
const NO_SIGN = ["-c", "commit.gpgsign=false"];

export interface MergeOptions {
  /** The Builder's workspace. */
  readonly repo: string;
  /** The sandbox branch holding the verified commit. */
  readonly branch: string;
  /** The Builder's HEAD when the patch began; a different HEAD now means the Builder moved on. */
  readonly expectedHead: string;
  readonly message: string;
  readonly now: Date;
  /**
   * Folders left out of the "clean tree" check: the protocol's own (out/, progress/), which the
   * daemon itself writes and a patch may never change, so they cannot conflict with the merge.
   */
  readonly ignorePaths?: readonly string[];
}

export interface MergeOutcome {
  readonly merged: boolean;
  readonly commit: string | null;
  /** What happened, and when not merged, what the user should run. */
  readonly reason: string;
}

/** Commits everything in the sandbox worktree `dir` on its branch; returns the new HEAD sha. */
export async function commitSandbox(dir: string, message: string, now: Date): Promise<string> {
  // Commits the index exactly as collectChanges staged it: the change the limits checked, never
  // files the verification commands left behind.
  const args = [...NO_SIGN, "commit", "--quiet", "--no-verify", "--no-gpg-sign", "--cleanup=whitespace", "--file=-"];
  const result = await runGit(args, { cwd: dir, env: identityEnv(now), input: message, allowFailure: true });
  if (result.exitCode !== 0) {
    const why = /nothing to commit|nothing added to commit/.test(result.stdout + result.stderr) ? "there is nothing to commit" : tail(result);
    throw new RelayError("internal_error", `Cannot commit the patch in ${dir}: ${why}`);
  }
  return revParse(dir, "HEAD");
}

/**
 * Keeps a failed attempt as a commit on `ref` (e.g. `refs/codex-relay/failed/<id>`) whose parent
 * is `base`, built with plumbing so that no branch and no HEAD moves.
 */
export async function saveFailedWork(dir: string, base: string, ref: string, message: string, now = new Date()): Promise<{ ref: string; commit: string }> {
  if (!ref.startsWith("refs/")) throw new RelayError("internal_error", `Not a full ref name: ${ref}`);
  // The index as collectChanges staged it (see commitSandbox).
  const tree = (await runGit(["write-tree"], { cwd: dir })).stdout.trim();
  const parent = await revParse(dir, `${base}^{commit}`);
  const commit = (await runGit([...NO_SIGN, "commit-tree", "-p", parent, "-F", "-", tree], { cwd: dir, env: identityEnv(now), input: message })).stdout.trim();
  await runGit(["update-ref", "-m", "codex-relay: failed attempt", ref, commit], { cwd: dir });
  return { ref, commit };
}

/** Deletes a branch even when unmerged; true when deleted, false when there was no such branch. */
export async function deleteBranch(repo: string, branch: string): Promise<boolean> {
  if (branch.startsWith("-")) throw new RelayError("internal_error", `Invalid branch name: ${branch}`);
  const result = await runGit(["branch", "--delete", "--force", branch], { cwd: repo, allowFailure: true });
  if (result.exitCode === 0) return true;
  if (/not found/.test(result.stderr)) return false;
  throw new RelayError("internal_error", `Cannot delete the branch ${branch}: ${tail(result)}`);
}

/** The Builder's HEAD commit and branch (null when detached). */
export async function builderHead(repo: string): Promise<{ sha: string; branch: string | null }> {
  const sha = await revParse(repo, "HEAD");
  const ref = await runGit(["symbolic-ref", "--quiet", "HEAD"], { cwd: repo, allowFailure: true });
  const name = ref.stdout.trim();
  return { sha, branch: ref.exitCode === 0 && name.startsWith("refs/heads/") ? name.slice("refs/heads/".length) : null };
}

/**
 * Merges the sandbox branch into the Builder's branch with `--no-ff`, only when the Builder's tree
 * is clean (untracked files count; ignored ones do not), nothing is in progress, HEAD is on a
 * branch and has not moved since the patch began. Otherwise, or on a conflict (aborted), says why.
 */
export async function mergeIntoBuilder(options: MergeOptions): Promise<MergeOutcome> {
  const { repo, branch, expectedHead } = options;
  const byHand = `review it, then run \`git merge --no-ff ${branch}\` yourself`;
  const refuse = (why: string): MergeOutcome => ({ merged: false, commit: null, reason: `not merged: ${why}; ${byHand}` });
  const head = await builderHead(repo);
  if (head.branch === null) return refuse("your HEAD is detached");
  if (head.sha !== expectedHead) {
    return refuse(`your HEAD moved from ${expectedHead.slice(0, 12)} to ${head.sha.slice(0, 12)} since the patch began`);
  }
  const busy = await operationInProgress(repo);
  if (busy !== null) return refuse(`a ${busy} is in progress in your checkout`);
  const exclude = (options.ignorePaths ?? []).map((dir) => `:(exclude,literal)${dir}`);
  const status = await runGit(["status", "--porcelain", "--untracked-files=normal", "--ignore-submodules=none", "--", ".", ...exclude], { cwd: repo });
  const dirty = status.stdout.split("\n").filter((line) => line !== "").length;
  if (dirty > 0) return refuse(`your checkout has ${dirty} uncommitted or untracked path(s); commit or stash them first`);
  const tip = await revParse(repo, `refs/heads/${branch}`).catch(() => null);
  if (tip === null) return refuse(`the branch ${branch} does not exist`);

  // `merge -F -` cannot read stdin on older git: merge without committing, then commit with the
  // message on stdin. Flags on the command line override `branch.<name>.mergeOptions`.
  const merge = await runGit(
    [...NO_SIGN, "-c", "rerere.enabled=false", "merge", "--quiet", "--no-ff", "--no-commit", "--no-squash", "--no-log", "--no-autostash", "--no-verify", tip],
    { cwd: repo, env: identityEnv(options.now), allowFailure: true },
  );
  const started = (await runGit(["rev-parse", "--quiet", "--verify", "MERGE_HEAD"], { cwd: repo, allowFailure: true })).exitCode === 0;
  if (merge.exitCode !== 0) {
    if (!started) return refuse(`git refused to merge (${tail(merge)})`);
    const conflicts = (await runGit(["diff", "--name-only", "--diff-filter=U", "-z"], { cwd: repo })).stdout.split("\0").filter(Boolean);
    await runGit(["merge", "--abort"], { cwd: repo });
    return refuse(`merging conflicts in ${conflicts.join(", ") || "some files"} (the merge was aborted, your checkout is as it was)`);
  }
  if (!started) return { merged: false, commit: null, reason: `not merged: ${branch} is already contained in ${head.branch}` };
  const commit = await runGit(
    [...NO_SIGN, "commit", "--quiet", "--no-verify", "--no-gpg-sign", "--cleanup=whitespace", "--file=-"],
    { cwd: repo, env: identityEnv(options.now), input: options.message, allowFailure: true },
  );
  if (commit.exitCode !== 0) {
    await runGit(["merge", "--abort"], { cwd: repo, allowFailure: true });
    return refuse(`the merge commit failed (${tail(commit)}; the merge was aborted)`);
  }
  const sha = await revParse(repo, "HEAD");
  return { merged: true, commit: sha, reason: `merged ${branch} into ${head.branch} as ${sha.slice(0, 12)} (--no-ff)` };
}

async function operationInProgress(repo: string): Promise<string | null> {
  const markers: [string, string][] = [
    ["MERGE_HEAD", "merge"], ["CHERRY_PICK_HEAD", "cherry-pick"], ["REVERT_HEAD", "revert"],
    ["rebase-merge", "rebase"], ["rebase-apply", "rebase or am"], ["BISECT_LOG", "bisect"],
  ];
  const { stdout } = await runGit(["rev-parse", "--path-format=absolute", ...markers.flatMap(([name]) => ["--git-path", name])], { cwd: repo });
  const paths = stdout.trim().split("\n");
  for (const [i, [, what]] of markers.entries()) {
    const file = paths[i];
    if (file !== undefined && (await pathExists(file))) return what;
  }
  return null;
}

async function revParse(cwd: string, rev: string): Promise<string> {
  return (await runGit(["rev-parse", "--verify", "--end-of-options", rev], { cwd })).stdout.trim();
}

function identityEnv(now: Date): Record<string, string> {
  const date = `@${Math.floor(now.getTime() / 1000)} +0000`;
  return {
    GIT_AUTHOR_NAME: NAME, GIT_AUTHOR_EMAIL: EMAIL, GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: NAME, GIT_COMMITTER_EMAIL: EMAIL, GIT_COMMITTER_DATE: date,
  };
}

function tail(result: { stdout: string; stderr: string }): string {
  const text = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-3).join(" ");
  return text.length > 300 ? `…${text.slice(-300)}` : text;
}
