// The patch pipeline (PROTOCOL.md §5) for one planned run, as stages over one state: take a warm
// sandbox worktree at the Builder's HEAD → verify the untouched base → let Codex edit it, check
// the limits, verify, repair on the same thread → commit on the sandbox branch or keep the failed
// attempt under a ref → hand the sandbox back → overlap and merge → report.
// The Builder's checkout is only ever read (unless the config asks for a merge).
import { performance } from "node:perf_hooks";
import { Requeue } from "../codex/requeue.js";
import type { KindRun } from "../context/kind-run.js";
import { toRelayError, type RelayError } from "../errors.js";
import type { PatchRunReport } from "../protocol/patch-run.js";
import type { ResultStatus, Usage } from "../protocol/result.js";
import { runAttempts } from "./attempt-loop.js";
import { runBaseline } from "./baseline.js";
import { deliverPatch } from "./deliver-patch.js";
import type { PatchPlan } from "./patch-plan.js";
import { patchRunReport } from "./patch-run-report.js";
import type { NamedCommand } from "./patch-state.js";
import { prepareSandbox, releaseSandbox } from "./prepare-sandbox.js";
import { settleSandbox } from "./settle-sandbox.js";

export interface PatchExecution {
  readonly report: PatchRunReport;
  readonly status: ResultStatus;
  readonly error: RelayError | null;
  /** The commands verified, with their names (micro gates: test, lint, typecheck). */
  readonly commands: readonly NamedCommand[];
  readonly usage: Usage | null;
  readonly codexStartedAt: Date | null;
}

/** Throws before the sandbox is taken (nothing patched), or a `Requeue` when the daemon stops it. */
export async function executePatch(run: KindRun, plan: PatchPlan): Promise<PatchExecution> {
  const state = await prepareSandbox(run, plan);
  try {
    await runBaseline(state);
    await runAttempts(state);
    await settleSandbox(state);
  } catch (error) {
    if (error instanceof Requeue) throw error; // the sandbox is still released below
    state.failure = toRelayError(error);
    state.status = state.failure.code === "cancelled" ? "cancelled" : "failed";
  } finally {
    await releaseSandbox(state);
  }
  const delivery = await deliverPatch(state);
  const report = patchRunReport(state, delivery, run.ctx.now(), performance.now() - state.t0);
  const setupMs = state.sandbox.setup?.durationMs ?? 0;
  run.ctx.logger.log("info", "patch finished", {
    id: run.id,
    status: report.status,
    attempts: state.attempts,
    overhead_ms: Math.round(performance.now() - state.t0 - state.codexMs - state.verifyMs - setupMs),
  });
  return { report, status: state.status, error: state.failure, commands: state.commands, usage: state.usage, codexStartedAt: state.codexStartedAt };
}
