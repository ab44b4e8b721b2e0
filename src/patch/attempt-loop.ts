// The attempt loop: Codex edits the sandbox (workspace-write), the change is checked against the
// limits and verified; a broken verification goes back to the same Codex thread while the plan's
// attempts last. `state.attempts` counts the Codex runs made, and nothing else.
import { performance } from "node:perf_hooks";
import { askCodex } from "../codex/ask-codex.js";
import type { ReplySchema } from "../codex/reply-schema.js";
import { addUsage } from "../codex/usage.js";
import { RelayError } from "../errors.js";
import { PatchReply, patchReplyJsonSchema } from "../protocol/patch-reply.js";
import { limitsFailure, verificationVerdict } from "./attempt-verdict.js";
import { checkLimits } from "./limits.js";
import { patchPrompt, repairPrompt } from "./patch-prompt.js";
import type { PatchState } from "./patch-state.js";
import { collectChanges } from "./sandbox-diff.js";
import { verifyChange } from "./verify-sandbox.js";

export const PATCH_REPLY: ReplySchema<PatchReply> = { name: "patch", type: PatchReply, json: patchReplyJsonSchema };

export async function runAttempts(state: PatchState): Promise<void> {
  const { ctx } = state.run;
  const templates = ctx.layout.templates;
  let prompt = ctx.redactor.redact(await patchPrompt(templates, state.plan, state.baseline));
  while (state.attempts < state.plan.attempts) {
    if ((await attempt(state, prompt)) === "done") return;
    prompt = ctx.redactor.redact(await repairPrompt(templates, state.attempts, state.plan.attempts, state.checks));
  }
}

/** One Codex run and the checks of its change; "repair" when verification broke and runs remain. */
async function attempt(state: PatchState, prompt: string): Promise<"done" | "repair"> {
  const { run, sandbox } = state;
  state.attempts += 1;
  const t = performance.now();
  const turn = await askCodex(run, {
    cwd: sandbox.dir,
    sandbox: "workspace-write",
    prompt,
    schema: PATCH_REPLY,
    resumeThreadId: state.attempts > 1 ? (run.codex.thread_id ?? undefined) : undefined,
    resumable: state.attempts < state.plan.attempts, // a repair turn continues this thread
  });
  state.codexMs += performance.now() - t;
  state.codexStartedAt ??= turn.base.startedAt ?? null;
  state.usage = addUsage(state.usage, turn.base.usage ?? null);
  if (turn.kind === "ended") {
    state.status = turn.outcome.status;
    state.failure = turn.outcome.error ?? new RelayError("codex_failed", "Codex did not finish the patch");
    return "done";
  }
  state.diff = await collectChanges(sandbox.dir, state.base);
  if (turn.kind === "invalid") {
    state.failure = turn.outcome.error ?? new RelayError("invalid_reply", "Codex's reply does not match the patch schema");
    return "done";
  }
  state.reply = turn.reply;
  state.violations = checkLimits(state.diff, state.plan.limits);
  const { mode, title, taskPacketPath } = state.plan;
  state.failure = limitsFailure(state.violations, { kind: mode, title, taskPacketPath });
  if (state.failure) return "done";
  await verifyChange(state);
  const verdict = verificationVerdict(state.checks, state.attempts, state.plan.attempts);
  state.failure = verdict.kind === "pass" ? null : verdict.error;
  return verdict.kind === "repair" ? "repair" : "done";
}
