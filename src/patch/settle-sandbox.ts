// After the attempts: a change that passed becomes one commit on the sandbox branch, in the
// enforced message format; a failed change is kept under refs/codex-relay/failed/<id>.
import { buildCommitMessage } from "./commit-message.js";
import type { PatchState } from "./patch-state.js";
import { commitSandbox, saveFailedWork } from "./sandbox-commit.js";

export async function settleSandbox(state: PatchState): Promise<void> {
  const { run, plan, sandbox, reply, diff } = state;
  const { ctx, id } = run;
  if (state.failure === null && reply && diff) {
    const approval = { diagnosisSha256: plan.diagnosis?.sha256 ?? null, routeDecisionSha256: plan.routeDecisionSha256 };
    state.commitMessage = buildCommitMessage({ ...reply.commit, verification: state.checks, requestId: id, threadId: run.codex.thread_id, files: diff.files.map((f) => f.path), approval, planStep: plan.planStep });
    state.commit = await commitSandbox(sandbox.dir, state.commitMessage, ctx.now());
    state.keepBranch = true;
    state.status = "completed";
  } else if (diff && diff.files.length > 0) {
    const message = `codex-relay: failed ${plan.mode} attempt ${id}\n\n${state.failure?.message ?? ""}\n`;
    state.failedRef = (await saveFailedWork(sandbox.dir, state.base, `refs/codex-relay/failed/${id}`, message)).ref;
  }
}
