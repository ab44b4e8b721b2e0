// One warm worktree pool per workspace and process, built from the config on first use. The
// setup command (e.g. `npm ci`) runs through the same runner as verification.
import type { RelayContext } from "../context/relay-context.js";
import { runCommand, verificationEnv } from "./run-command.js";
import { createWorktreePool, defaultWorktreeRoot, type WorktreePool } from "./worktree-pool.js";

const pools = new Map<string, WorktreePool>();

export function sandboxPool(ctx: RelayContext): WorktreePool {
  const { config, layout } = ctx;
  const root = config.patch.worktree_root || defaultWorktreeRoot(layout.workspace, ctx.env);
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
