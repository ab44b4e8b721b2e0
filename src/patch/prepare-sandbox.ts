// The first and last touch of a patch run on git: read the Builder's HEAD and approved files, set
// Codex up, take a warm sandbox worktree on the patch branch — and hand it back at the end.
// Failing before the sandbox is taken means nothing was patched (run-patch.ts reports that).
import { performance } from "node:perf_hooks";
import { codexSetup } from "../codex/codex-setup.js";
import type { KindRun } from "../context/kind-run.js";
import { RelayError } from "../errors.js";
import { snapshotFiles } from "./overlap.js";
import type { PatchPlan } from "./patch-plan.js";
import type { PatchState } from "./patch-state.js";
import { builderHead, deleteBranch } from "./sandbox-commit.js";
import { sandboxPool } from "./sandbox-pool.js";

export async function prepareSandbox(run: KindRun, plan: PatchPlan): Promise<PatchState> {
  const { ctx, id, signal } = run;
  const { layout } = ctx;
  const startedAt = ctx.now();
  const t0 = performance.now();
  const head = await builderHead(layout.workspace).catch((cause: unknown) => {
    throw new RelayError("not_a_git_repo", `${layout.workspace} is not a git repository with a commit`, { cause });
  });
  // A plan's step builds on commits the Builder's checkout does not have: no overlap to watch for.
  const approvedPlain = plan.planStep ? [] : (plan.limits.approvedFiles ?? []).filter((file) => !/[*?]/.test(file));
  const snapshot = await snapshotFiles(layout.workspace, approvedPlain);
  await codexSetup(run); // no Codex or no login fails here, before a sandbox is taken
  const base = plan.planStep?.base ?? head.sha;
  const sandbox = await sandboxPool(ctx).acquire({ base, branch: plan.branch, signal });
  ctx.logger.log("info", "sandbox ready", { id, slot: sandbox.slot, cold: sandbox.cold, ms: Math.round(sandbox.prepareMs) });
  return {
    run, plan, startedAt, t0, base: sandbox.base, snapshot, sandbox,
    commands: plan.commands === "gates" ? [] : plan.commands,
    baseline: [], attempts: 0, reply: null, diff: null, violations: [], checks: [],
    status: "failed", failure: null, commit: null, commitMessage: null, failedRef: null, keepBranch: false,
    usage: null, codexStartedAt: null, codexMs: 0, verifyMs: 0,
  };
}

/** Hands the slot back clean; the sandbox branch goes too unless it holds the commit (or a plan's earlier steps). */
export async function releaseSandbox(state: PatchState): Promise<void> {
  const { ctx, id } = state.run;
  await state.sandbox.release();
  if (state.keepBranch || (state.plan.planStep?.n ?? 1) > 1) return;
  await deleteBranch(ctx.layout.workspace, state.plan.branch).catch((e: unknown) => ctx.logger.log("warn", "branch not deleted", { id, message: String(e) }));
}
