// Where a resumed plan run starts: the commit of the step before it, found on the plan branch by
// the `Codex-Relay-Plan-Step` trailer each step's commit carries (commit-message.ts).
import { runGit } from "../git/run-git.js";
import { planBranch } from "../protocol/layout.js";
import { planStepTrailer } from "../patch/commit-message.js";

/** The newest commit on `codex/plan-<plan>` that is step `n` of the plan; null when there is none (or no branch). */
export async function stepCommit(repo: string, plan: string, n: number): Promise<string | null> {
  const { stdout, exitCode } = await runGit(
    ["log", "--format=%H", "--fixed-strings", `--grep=${planStepTrailer(plan, n)}`, "-n", "1", `refs/heads/${planBranch(plan)}`, "--"],
    { cwd: repo, allowFailure: true },
  );
  const sha = stdout.trim();
  return exitCode === 0 && sha !== "" ? sha : null;
}
