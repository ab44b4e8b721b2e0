// The baseline stage: the sandbox is usable (not cancelled meanwhile, its setup passed), the
// commands are known (micro: the quality gates found in the worktree), and they run once on the
// untouched base, so a failure that was already there is not blamed on the patch.
import { throwIfAborted } from "../codex/requeue.js";
import { RelayError } from "../errors.js";
import { statusClause } from "./patch-prompt.js";
import type { PatchState } from "./patch-state.js";
import { detectQualityGates } from "./quality-gates.js";
import { verifySandbox } from "./verify-sandbox.js";

export async function runBaseline(state: PatchState): Promise<void> {
  const { run, plan, sandbox } = state;
  throwIfAborted(run.signal, "while its sandbox was prepared");
  if (sandbox.setup && sandbox.setup.status !== "pass") {
    throw new RelayError("setup_failed", `setup \`${sandbox.setup.command}\` ${statusClause(sandbox.setup)} in ${sandbox.dir}:\n${sandbox.setup.outputTail}`);
  }
  if (plan.commands === "gates") state.commands = await detectQualityGates(sandbox.dir, run.ctx.config.micro.gates);
  state.baseline = await verifySandbox(state, "baseline");
}
