// The prompts of a patch run, rendered from templates: the first (task, diagnosis, limits, how
// each command fares on the base) and the repair (the failing output of the last attempt).
import type { CommandRun, VerificationCheck } from "../protocol/patch-run.js";
import { fenceFor } from "../protocol/code-fence.js";
import { loadTemplate, renderTemplate } from "../report/templates.js";
import type { PatchPlan } from "./patch-plan.js";
import { failureDigest } from "./verification.js";

const FAILURE_DIGEST_BYTES = 12_000;

/** `baseline`: each command's run on the untouched base, or (a dry run) only the commands, not yet run. */
export async function patchPrompt(templates: string, plan: PatchPlan, baseline: readonly CommandRun[] | readonly string[]): Promise<string> {
  const template = await loadTemplate("patch-prompt.md", templates);
  return renderTemplate(template, {
    title: plan.title,
    description: plan.description,
    diagnosis: plan.diagnosis,
    approved_files: plan.limits.approvedFiles,
    max_files: plan.limits.maxFiles,
    max_lines_per_file: plan.limits.maxLinesPerFile,
    max_total_lines: plan.limits.maxTotalLines,
    verification: baseline.map((r) =>
      typeof r === "string"
        ? { command: r, baseline: null }
        : { command: r.command, baseline: r.status === "pass" ? "passes" : `${statusClause(r)}: make it pass if the task is about it, otherwise leave it as it is` },
    ),
  });
}

/** The prompt after attempt `attempt` of `attempts` broke verification. */
export async function repairPrompt(templates: string, attempt: number, attempts: number, checks: readonly VerificationCheck[]): Promise<string> {
  const digest = failureDigest(checks, FAILURE_DIGEST_BYTES);
  const template = await loadTemplate("repair-prompt.md", templates);
  return renderTemplate(template, { attempt, attempts, failures: { text: digest, fence: fenceFor(digest) } });
}

/** How a command fared, as a clause: "passes", "fails (exit 2)", "timed out", "could not run". */
export function statusClause(run: CommandRun): string {
  return run.status === "timeout" ? "timed out" : run.status === "error" ? "could not run" : run.status === "fail" ? `fails (exit ${run.exitCode})` : "passes";
}
