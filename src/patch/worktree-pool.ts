// A pool of warm sandbox worktrees of the Builder's repository. A full checkout of a large
// repository takes seconds and has no installed dependencies; a pooled slot is switched to the
// new base by rewriting only the files that differ, and ignored files such as node_modules stay.
// Slots live under the daemon's state, never inside the Builder's checkout.
import { createHash, randomBytes } from "node:crypto";
import { realpathSync } from "node:fs";
import { link, mkdir, readFile, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { RelayError, toRelayError } from "../errors.js";
import { runGit } from "../git/run-git.js";
import { isLockFile } from "./dependency-files.js";
import type { CommandRun } from "./types.js";

export interface WorktreePoolOptions {
  /** The Builder's workspace (git top level). */
  readonly repo: string;
  /** Where the slots live: `<root>/slot-<n>`; must be outside `repo`. */
  readonly root: string;
  readonly size: number;
  /** Installs dependencies in a slot; run when the slot is new or its lock files changed. */
  readonly setup?: (dir: string, signal?: AbortSignal) => Promise<CommandRun>;
  /** Identifies the setup command (e.g. its argv joined); a change reruns setup in every slot. */
  readonly setupKey?: string;
}

export interface AcquireOptions {
  /** The commit the patch starts from. */
  readonly base: string;
  /** The sandbox branch, e.g. `codex/patch-<id>`; created or reset at base. */
  readonly branch: string;
  readonly signal?: AbortSignal;
}

export interface Sandbox {
  readonly dir: string;
  readonly slot: number;
  /** Full sha of the base commit. */
  readonly base: string;
  readonly branch: string;
  /** True when the slot was checked out from scratch for this patch. */
  readonly cold: boolean;
  /** The setup run made for this patch, null when the slot's setup was still current. */
  readonly setup: CommandRun | null;
  /** Time to bring the slot to base and branch (lease wait and setup excluded). */
  readonly prepareMs: number;
  /** Leaves the slot clean and detached at base (no branch stays checked out), then frees it. */
  release(): Promise<void>;
}

export interface WorktreePool {
  readonly root: string;
  readonly size: number;
  acquire(options: AcquireOptions): Promise<Sandbox>;
}

interface SetupState {
  key: string;
  argv: readonly string[];
}

// Cross-process leases: `<root>/slot-<n>.lease`, created with O_EXCL. A lease whose process is
// gone is taken over. The process start time guards against a reused pid; the token against a
// restarted daemon (e.g. in a container) that got the same pid as the one that died.
const PROCESS_TOKEN = randomBytes(8).toString("hex");
/** How long a lease file may stay empty or torn (its writer between create and write). */
const TORN_LEASE_GRACE_MS = 10_000;

interface LeaseRecord {
  pid: number;
  token?: string;
  start?: string | null;
}

/** Retry period for slots leased by another process (`codex-relay run` beside the daemon). */
const FOREIGN_LEASE_POLL_MS = 250;

/** `$XDG_STATE_HOME/codex-relay/worktrees/<name>-<hash>`: one pool folder per workspace. */
export function defaultWorktreeRoot(workspace: string, env: Record<string, string | undefined>): string {
  let real = path.resolve(workspace);
  try {
    real = realpathSync(real);
  } catch {
    // A workspace that does not exist yet still gets a stable name from its resolved path.
  }
  const id = `${path.basename(real)}-${createHash("sha256").update(real).digest("hex").slice(0, 10)}`;
  const xdg = env.XDG_STATE_HOME;
  const stateHome = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(env.HOME ?? os.homedir(), ".local", "state");
  const root = path.join(stateHome, "codex-relay", "worktrees", id);
  // A home folder that is itself a repository would put the slots inside the Builder's tree,
  // where they would show up as untracked files; the temp folder is the next best place.
  return isInside(root, real) ? path.join(os.tmpdir(), "codex-relay-state", "worktrees", id) : root;
}

export function createWorktreePool(options: WorktreePoolOptions): WorktreePool {
  if (!Number.isInteger(options.size) || options.size < 1) {
    throw new RelayError("invalid_config", `The worktree pool size must be a whole number ≥ 1, got ${options.size}.`);
  }
  const repo = path.resolve(options.repo);
  const root = path.resolve(options.root);
  if (isInside(root, repo)) {
    throw new RelayError("invalid_config", `The worktree pool (${root}) must be outside the workspace (${repo}).`);
  }
  const busy = new Set<number>();
  const wakers = new Set<() => void>();
  let ready: Promise<{ commonDir: string; realRoot: string }> | undefined;

  const wake = () => {
    for (const resolve of wakers) resolve();
    wakers.clear();
  };
  const slotDir = (n: number) => path.join(root, `slot-${n}`);
  const leaseFile = (n: number) => path.join(root, `slot-${n}.lease`);
  const setupFile = (n: number) => path.join(root, `slot-${n}.setup.json`);

  // Once per pool: find the repository's git folder and drop our slots' stale registrations. Only
  // entries under our root: a global `worktree prune` would also forget the Builder's own
  // worktrees on a disk that happens to be unmounted.
  const init = () =>
    (ready ??= (async () => {
      await mkdir(root, { recursive: true });
      const realRoot = await realpath(root);
      const { stdout } = await runGit(["rev-parse", "--path-format=absolute", "--git-common-dir"], { cwd: repo });
      const commonDir = await realpath(stdout.trim());
      for (const stale of await prunableWorktrees(repo)) {
        if (isInside(stale, realRoot)) await runGit(["worktree", "remove", "--force", stale], { cwd: repo, allowFailure: true });
      }
      return { commonDir, realRoot };
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));

  async function prepare(n: number, request: AcquireOptions): Promise<Sandbox> {
    const started = performance.now();
    const { commonDir } = await init();
    const base = await resolveCommit(repo, request.base);
    // Reading the lock files' ids at base needs only the repository: done while the slot switches.
    const key = options.setup === undefined ? null : lockFilesKey(repo, base, options.setupKey ?? "");
    key?.catch(() => undefined); // awaited below; a failure surfaces there
    const dir = slotDir(n);
    const gitDir = await slotGitDir(dir, commonDir);
    let cold = gitDir === null;
    if (gitDir !== null) {
      try {
        await switchToBase(dir, gitDir, base, request.signal);
      } catch (error) {
        if (request.signal?.aborted) throw error;
        cold = true; // a worktree git cannot switch any more is rebuilt from scratch
      }
    }
    if (cold) {
      await rm(setupFile(n), { force: true });
      await recreate(repo, dir, base, request.signal);
    }
    const { exitCode, stderr } = await runGit(["branch", "--force", request.branch, base], { cwd: dir, allowFailure: true });
    if (exitCode !== 0) {
      throw new RelayError("internal_error", `Cannot create the sandbox branch ${request.branch}: ${stderr.trim()}`);
    }
    await runGit(["symbolic-ref", "-m", "codex-relay: sandbox", "HEAD", `refs/heads/${request.branch}`], { cwd: dir });
    const prepareMs = Math.round(performance.now() - started);
    const setup = key === null ? null : await runSetup(n, dir, await key, cold, request.signal);
    let released = false;
    return {
      dir, slot: n, base, branch: request.branch, cold, setup, prepareMs,
      async release() {
        if (released) return;
        released = true;
        try {
          await runGit(["checkout", "--quiet", "--force", "--detach", base], { cwd: dir });
          await runGit(["clean", "-ffdq"], { cwd: dir });
        } catch {
          // Ignored on purpose: the next acquire resets the slot from whatever state it is in.
        } finally {
          await dropLease(leaseFile(n));
          busy.delete(n);
          wake();
        }
      },
    };
  }

  async function runSetup(n: number, dir: string, key: string, cold: boolean, signal?: AbortSignal): Promise<CommandRun | null> {
    if (options.setup === undefined) return null;
    const stored = cold ? null : await readSetupState(setupFile(n));
    if (stored?.key === key) return null;
    await rm(setupFile(n), { force: true }); // a setup cut short must run again next time
    const run = await options.setup(dir, signal);
    if (run.status === "pass") {
      const state: SetupState = { key, argv: run.argv };
      await writeFile(setupFile(n), `${JSON.stringify(state, null, 2)}\n`);
    }
    return run;
  }

  return {
    root,
    size: options.size,
    async acquire(request) {
      if (request.branch.startsWith("-")) {
        throw new RelayError("internal_error", `Invalid sandbox branch name: ${request.branch}`);
      }
      await init().catch((error: unknown) => Promise.reject(toRelayError(error)));
      for (;;) {
        if (request.signal?.aborted) throw new RelayError("cancelled", "Waiting for a sandbox worktree was cancelled.");
        for (let n = 0; n < options.size; n += 1) {
          if (busy.has(n)) continue;
          busy.add(n); // claimed before the first await so two acquires never race for one slot
          const leased = await takeLease(leaseFile(n)).catch((error: unknown) => {
            busy.delete(n);
            throw toRelayError(error);
          });
          if (!leased) {
            busy.delete(n);
            continue;
          }
          try {
            return await prepare(n, request);
          } catch (error) {
            await dropLease(leaseFile(n));
            busy.delete(n);
            wake();
            if (request.signal?.aborted) throw new RelayError("cancelled", "Preparing the sandbox worktree was cancelled.", { cause: error });
            throw toRelayError(error);
          }
        }
        await waitForRelease(wakers, request.signal);
      }
    },
  };
}

/** Unregisters and deletes a sandbox worktree (pool resize, config change, tests). */
export async function removeWorktree(repo: string, dir: string): Promise<void> {
  await runGit(["worktree", "remove", "--force", "--force", dir], { cwd: repo, allowFailure: true });
  await rm(dir, { recursive: true, force: true });
  await runGit(["worktree", "remove", "--force", dir], { cwd: repo, allowFailure: true }); // registration of a folder that was already gone
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

// Warm path: `checkout --force` rewrites only files that differ from base (the index knows which);
// `clean` without -x removes what a previous patch created but keeps ignored files (node_modules).
async function switchToBase(dir: string, gitDir: string, base: string, signal?: AbortSignal): Promise<void> {
  // We hold the slot's lease, so a lock left here belongs to a process that died mid-command.
  await rm(path.join(gitDir, "index.lock"), { force: true });
  await runGit(["checkout", "--quiet", "--force", "--detach", base], { cwd: dir, signal });
  await runGit(["clean", "-ffdq"], { cwd: dir, signal });
}

async function recreate(repo: string, dir: string, base: string, signal?: AbortSignal): Promise<void> {
  await removeWorktree(repo, dir);
  await runGit(["worktree", "add", "--quiet", "--detach", dir, base], { cwd: repo, signal });
}

async function resolveCommit(repo: string, rev: string): Promise<string> {
  const { stdout, exitCode } = await runGit(["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`], { cwd: repo, allowFailure: true });
  if (exitCode !== 0) throw new RelayError("internal_error", `The base commit ${rev} does not exist in ${repo}.`);
  return stdout.trim();
}

async function prunableWorktrees(repo: string): Promise<string[]> {
  const { stdout } = await runGit(["worktree", "list", "--porcelain", "-z"], { cwd: repo });
  const stale: string[] = [];
  for (const record of stdout.split("\0\0")) {
    const fields = record.split("\0");
    const where = fields.find((f) => f.startsWith("worktree "));
    if (where !== undefined && fields.some((f) => f.startsWith("prunable"))) stale.push(where.slice("worktree ".length));
  }
  return stale;
}

/** Hash of every lock file's blob id at base, plus the setup command's identity. */
async function lockFilesKey(repo: string, base: string, setupKey: string): Promise<string> {
  const { stdout } = await runGit(["ls-tree", "-r", "-z", "--full-tree", base], { cwd: repo });
  const hash = createHash("sha256").update(setupKey).update("\0");
  for (const entry of stdout.split("\0")) {
    const tab = entry.indexOf("\t");
    if (tab > 0 && isLockFile(entry.slice(tab + 1))) hash.update(`${entry}\0`);
  }
  return hash.digest("hex");
}

async function readSetupState(file: string): Promise<SetupState | null> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<SetupState>;
    return typeof parsed.key === "string" ? { key: parsed.key, argv: parsed.argv ?? [] } : null;
  } catch {
    return null; // missing or torn: setup simply runs again
  }
}

function waitForRelease(wakers: Set<() => void>, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      wakers.delete(done);
      signal?.removeEventListener("abort", onAbort);
      resolve();
    };
    const onAbort = () => {
      done();
      reject(new RelayError("cancelled", "Waiting for a sandbox worktree was cancelled."));
    };
    const timer = setTimeout(done, FOREIGN_LEASE_POLL_MS);
    wakers.add(done);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

async function takeLease(file: string): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const mine: LeaseRecord = { pid: process.pid, token: PROCESS_TOKEN, start: await processStart(process.pid) };
    try {
      await writeFile(file, `${JSON.stringify(mine)}\n`, { flag: "wx" });
      return true;
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
    }
    const holder = await readLease(file);
    if (holder === "gone") continue;
    if (await leaseAlive(holder)) return false;
    // Move the dead lease aside: a rename is atomic, so if two processes take over at once and
    // one moves the other's fresh lease instead, it sees a live holder and puts it back.
    const aside = `${file}.${process.pid}.${PROCESS_TOKEN}.stale`;
    try {
      await rename(file, aside);
    } catch (error) {
      if (errorCode(error) === "ENOENT") continue;
      throw error;
    }
    const moved = await readLease(aside);
    if (moved !== "gone" && (await leaseAlive(moved))) await link(aside, file).catch(() => undefined);
    await rm(aside, { force: true });
  }
  return false;
}

async function dropLease(file: string): Promise<void> {
  const holder = await readLease(file);
  if (holder !== "gone" && holder.record?.pid === process.pid && holder.record.token === PROCESS_TOKEN) {
    await rm(file, { force: true });
  }
}

async function readLease(file: string): Promise<"gone" | { record: LeaseRecord | null; ageMs: number }> {
  try {
    const [text, info] = await Promise.all([readFile(file, "utf8"), stat(file)]);
    let record: LeaseRecord | null = null;
    try {
      const parsed = JSON.parse(text) as Partial<LeaseRecord>;
      if (Number.isInteger(parsed.pid)) record = parsed as LeaseRecord;
    } catch {
      record = null; // torn: judged by its age below
    }
    return { record, ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if (errorCode(error) === "ENOENT") return "gone";
    throw error;
  }
}

async function leaseAlive(holder: { record: LeaseRecord | null; ageMs: number }): Promise<boolean> {
  const { record } = holder;
  if (record === null) return holder.ageMs < TORN_LEASE_GRACE_MS;
  if (record.pid === process.pid) return record.token === PROCESS_TOKEN;
  const start = await processStart(record.pid);
  if (typeof record.start === "string" && start !== null) return start === record.start;
  try {
    process.kill(record.pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === "EPERM"; // alive, owned by another user
  }
}

/** The process's start time in clock ticks since boot (Linux /proc), or null where unknown. */
async function processStart(pid: number): Promise<string | null> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  if (stat === null) return null;
  // Fields after the command name, which may itself contain spaces and parentheses.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}
