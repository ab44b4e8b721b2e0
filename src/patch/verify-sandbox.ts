// Verification in the sandbox: the commands run on the untouched base (the baseline) and again
// after each change, which is then judged command by command against the baseline.
import { performance } from "node:perf_hooks";
import { throwIfAborted } from "../codex/requeue.js";
import { sayStep } from "../context/say-step.js";
import type { CommandRun } from "../protocol/patch-run.js";
import type { PatchState } from "./patch-state.js";
import { verificationEnv } from "./run-command.js";
import { restoreToIndex } from "./sandbox-diff.js";
import { compareRuns, runVerification } from "./verification.js";

/**
 * One pass of the commands; what they wrote is reverted, as it is not part of the change. Each
 * command is a step of the request's progress, named for the pass (`baseline`, `verifying`).
 */
export async function verifySandbox(state: PatchState, pass: "baseline" | "verifying"): Promise<CommandRun[]> {
  const { ctx, signal } = state.run;
  const { config } = ctx;
  const t = performance.now();
  const runs = await runVerification(commandLines(state), {
    cwd: state.sandbox.dir,
    env: verificationEnv(ctx.env, config.patch.env),
    timeoutMs: config.patch.verify_timeout_s * 1000,
    signal,
    redact: (text) => ctx.redactor.redact(text),
    onCommand: (command) => sayStep(ctx, state.run.id, `${pass}: ${command}`),
  });
  await restoreToIndex(state.sandbox.dir);
  state.verifyMs += performance.now() - t;
  throwIfAborted(signal, "during verification");
  return runs;
}

/** The verify stage: run the commands on the change and compare them with the baseline. */
export async function verifyChange(state: PatchState): Promise<void> {
  state.checks = compareRuns(state.baseline, await verifySandbox(state, "verifying"), commandLines(state));
}

function commandLines(state: PatchState): string[] {
  return state.commands.map((c) => c.command);
}
