// A pool of warm sandbox worktrees of the Builder's repository. A full checkout of a large
// repository takes seconds and has no installed dependencies; a pooled slot is switched to the
// new base by rewriting only the files that differ, and ignored files such as node_modules stay.
// Slots live under the daemon's state, never inside the Builder's checkout. The cross-process
// lease is in slot-lease.ts, the git work on one slot in worktree-slot.ts.
import { realpathSync } from "node:fs";
import { mkdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { RelayError, toRelayError } from "../errors.js";
import { runGit } from "../git/run-git.js";
import { sha256 } from "../util/sha256.js";
import { isLockFile } from "./dependency-files.js";
import { dropLease, slotLeaseFile, takeLease, waitForRelease } from "./slot-lease.js";
import type { CommandRun } from "../protocol/patch-run.js";
import { checkoutSandboxBranch, detachAtBase, prunableWorktrees, recreateSlot, resolveCommit, switchSlotToBase } from "./worktree-slot.js";

export { removeWorktree } from "./worktree-slot.js";

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

/** A slot brought to a base ahead of any patch (see `warm`). */
export interface WarmedSlot {
  readonly slot: number;
  /** True when the slot had to be checked out from scratch. */
  readonly cold: boolean;
  /** The setup run it needed, null when none was configured or it was still current. */
  readonly setup: CommandRun | null;
  /** Time to bring the slot to base, setup included (lease wait excluded). */
  readonly ms: number;
}

export interface WorktreePool {
  readonly root: string;
  readonly size: number;
  acquire(options: AcquireOptions): Promise<Sandbox>;
  /**
   * Brings the first free slot to `base` (checkout and setup) and frees it again, so the next
   * acquire finds it warm; an acquire meanwhile waits for it rather than building another slot
   * from scratch. Null when every slot is taken.
   */
  warm(options: { readonly base: string; readonly signal?: AbortSignal }): Promise<WarmedSlot | null>;
}

interface SetupState {
  key: string;
  argv: readonly string[];
}

/** `$XDG_STATE_HOME/codex-relay/worktrees/<name>-<hash>`: one pool folder per workspace. */
export function defaultWorktreeRoot(workspace: string, env: Record<string, string | undefined>): string {
  let real = path.resolve(workspace);
  try {
    real = realpathSync(real);
  } catch {
    // A workspace that does not exist yet still gets a stable name from its resolved path.
  }
  const id = `${path.basename(real)}-${sha256(real).slice(0, 10)}`;
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
  const leaseFile = (n: number) => slotLeaseFile(root, n);
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

  // The slot clean and detached at base (warm switch, or rebuilt cold); its setup still to run.
  async function bringToBase(n: number, rev: string, signal?: AbortSignal) {
    const { commonDir } = await init();
    const base = await resolveCommit(repo, rev);
    // Reading the lock files' ids at base needs only the repository: done while the slot switches.
    const key = options.setup === undefined ? null : lockFilesKey(repo, base, options.setupKey ?? "");
    key?.catch(() => undefined); // awaited below; a failure surfaces there
    const dir = slotDir(n);
    const cold = !(await switchSlotToBase(dir, commonDir, base, signal));
    if (cold) {
      await rm(setupFile(n), { force: true });
      await recreateSlot(repo, dir, base, signal);
    }
    const setup = async () => (key === null ? null : runSetup(n, dir, await key, cold, signal));
    return { dir, base, cold, setup };
  }

  async function prepare(n: number, request: AcquireOptions): Promise<Sandbox> {
    const started = performance.now();
    const { dir, base, cold, setup: runSlotSetup } = await bringToBase(n, request.base, request.signal);
    await checkoutSandboxBranch(dir, request.branch, base);
    const prepareMs = Math.round(performance.now() - started);
    const setup = await runSlotSetup();
    let released = false;
    return {
      dir, slot: n, base, branch: request.branch, cold, setup, prepareMs,
      async release() {
        if (released) return;
        released = true;
        try {
          await detachAtBase(dir, base);
        } catch {
          // Ignored on purpose: the next acquire resets the slot from whatever state it is in.
        } finally {
          await freeSlot(n);
        }
      },
    };
  }

  async function freeSlot(n: number): Promise<void> {
    await dropLease(leaseFile(n));
    busy.delete(n);
    wake();
  }

  /** Leases the first free slot for this process; undefined when every slot is taken. */
  async function leaseFreeSlot(): Promise<number | undefined> {
    for (let n = 0; n < options.size; n += 1) {
      if (busy.has(n)) continue;
      busy.add(n); // claimed before the first await so two acquires never race for one slot
      const leased = await takeLease(leaseFile(n)).catch((error: unknown) => {
        busy.delete(n);
        throw toRelayError(error);
      });
      if (leased) return n;
      busy.delete(n);
    }
    return undefined;
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

  let warming = false;

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
        // A slot being warmed is the one to take: waiting for it beats checking out another cold.
        const n = warming ? undefined : await leaseFreeSlot();
        if (n !== undefined) {
          try {
            return await prepare(n, request);
          } catch (error) {
            await freeSlot(n);
            if (request.signal?.aborted) throw new RelayError("cancelled", "Preparing the sandbox worktree was cancelled.", { cause: error });
            throw toRelayError(error);
          }
        }
        await waitForRelease(wakers, request.signal);
      }
    },
    async warm(request) {
      if (warming) return null;
      warming = true;
      try {
        await init().catch((error: unknown) => Promise.reject(toRelayError(error)));
        const n = await leaseFreeSlot();
        if (n === undefined) return null;
        try {
          const started = performance.now();
          const { cold, setup: runSlotSetup } = await bringToBase(n, request.base, request.signal);
          const setup = await runSlotSetup();
          return { slot: n, cold, setup, ms: Math.round(performance.now() - started) };
        } catch (error) {
          throw toRelayError(error);
        } finally {
          await freeSlot(n);
        }
      } finally {
        warming = false;
        wake();
      }
    },
  };
}

/** Hash of every lock file's blob id at base, plus the setup command's identity. */
async function lockFilesKey(repo: string, base: string, setupKey: string): Promise<string> {
  const { stdout } = await runGit(["ls-tree", "-r", "-z", "--full-tree", base], { cwd: repo });
  let keyed = `${setupKey}\0`;
  for (const entry of stdout.split("\0")) {
    const tab = entry.indexOf("\t");
    if (tab > 0 && isLockFile(entry.slice(tab + 1))) keyed += `${entry}\0`;
  }
  return sha256(keyed);
}

async function readSetupState(file: string): Promise<SetupState | null> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<SetupState>;
    return typeof parsed.key === "string" ? { key: parsed.key, argv: parsed.argv ?? [] } : null;
  } catch {
    return null; // missing or torn: setup simply runs again
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}
