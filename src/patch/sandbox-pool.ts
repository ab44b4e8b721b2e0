// One warm worktree pool per workspace and process, built from the config on first use. The
// setup command (e.g. `npm ci`) runs through the same runner as verification.
import type { RelayContext } from "../context/relay-context.js";
import { runGit } from "../git/run-git.js";
import { runCommand, verificationEnv } from "./run-command.js";
import { createWorktreePool, defaultWorktreeRoot, type WarmedSlot, type WorktreePool } from "./worktree-pool.js";

const pools = new Map<string, WorktreePool>();

/** Where the workspace's sandbox worktrees live (`<root>/slot-<n>`). */
export function sandboxRoot(ctx: RelayContext): string {
  return ctx.config.patch.worktree_root || defaultWorktreeRoot(ctx.layout.workspace, ctx.env);
}

export function sandboxPool(ctx: RelayContext): WorktreePool {
  const { config, layout } = ctx;
  const root = sandboxRoot(ctx);
  const key = `${layout.workspace}\0${root}`;
  let pool = pools.get(key);
  if (!pool) {
    const argv = config.patch.setup;
    pool = createWorktreePool({
      repo: layout.workspace,
      root,
      size: config.patch.pool_size,
      setupKey: argv.join("\0"),
      setup:
        argv.length === 0
          ? undefined
          : (dir, signal) =>
              runCommand({
                command: argv.join(" "),
                argv,
                cwd: dir,
                env: verificationEnv(ctx.env, config.patch.env),
                timeoutMs: config.patch.setup_timeout_s * 1000,
                signal,
                redact: (text) => ctx.redactor.redact(text),
              }),
    });
    pools.set(key, pool);
  }
  return pool;
}

/**
 * Readies one slot of the pool at the Builder's HEAD before any patch asks (the daemon, idle after
 * start): the first patch then switches a warm slot instead of checking one out cold. One slot,
 * because the daemon runs one patch at a time. Null when the workspace has no commit yet.
 */
export async function prepareSandboxPool(ctx: RelayContext, signal?: AbortSignal): Promise<WarmedSlot | null> {
  const head = await runGit(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], { cwd: ctx.layout.workspace, allowFailure: true, signal });
  if (head.exitCode !== 0) return null;
  return sandboxPool(ctx).warm({ base: head.stdout.trim(), signal });
}
