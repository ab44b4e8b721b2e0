// A plan is approved once, for all its steps (PROTOCOL.md §5, plans): progress/plans/<id>/
// ROUTE_DECISION.md, written by a person, grants codex-rw with `approved_by` and approves files;
// every file a step lists must be approved there, and the approval must be newer than every file
// of the plan (a step edited after it was approved was not what was approved). Checked before any
// step runs, so a plan either starts with its whole approval or changes nothing.
import type { Layout } from "../protocol/layout.js";
import type { MissingPrerequisite } from "../protocol/patch-run.js";
import type { RouteDecision } from "../protocol/route-decision.js";
import { isApprovedFile } from "../patch/limits.js";
import { checkRoute } from "../patch/prerequisites.js";
import { posixRelative } from "../util/posix-relative.js";
import type { LoadedPlan } from "./load-plan.js";

export type PlanApproval =
  | { readonly ok: true; readonly route: RouteDecision; readonly sha256: string }
  | { readonly ok: false; readonly missing: MissingPrerequisite[] };

export async function checkPlanApproval(layout: Layout, plan: LoadedPlan): Promise<PlanApproval> {
  const missing: MissingPrerequisite[] = [];
  for (const step of plan.steps) checkStep(step, missing);
  const file = layout.planRoute(plan.id);
  const where = posixRelative(layout.workspace, file);
  const route = await checkRoute(layout, true, missing, file);
  if (route === null) {
    // PLAN.md has the route decision ready to copy, as a diagnosis report has a patch's.
    return { ok: false, missing: missing.map((m) => (m.what === "route_decision" ? { ...m, fix: `${m.fix} ${plan.planFile} has the block to copy, under "Approve and run".` } : m)) };
  }
  const approved = route.decision.approvedFiles;
  if (approved.length > 0) {
    for (const step of plan.steps) {
      const outside = step.packet.files.filter((f) => !isApprovedFile(f, approved));
      if (outside.length === 0) continue;
      missing.push({
        what: "approved_files",
        path: where,
        message: `step ${step.n} (${step.file}) changes ${outside.map((f) => `\`${f}\``).join(", ")}, which ${where} does not approve`,
        fix: `Add ${outside.map((f) => `\`${f}\``).join(", ")} to \`## Approved Files\` in ${where}, or take them out of ${step.file}.`,
      });
    }
  }
  if (route.mtimeMs < plan.newestMtimeMs) {
    missing.push({
      what: "stale_approval",
      path: where,
      message: `${plan.planFile} or a step of it changed after ${where} was written: the approval is of an older plan`,
      fix: `Read the plan again, then save ${where} again to approve it as it is now.`,
    });
  }
  return missing.length > 0 ? { ok: false, missing } : { ok: true, route: route.decision, sha256: route.sha256 };
}

// A step that names no files or no verification cannot be run as a bounded, verified patch.
function checkStep(step: LoadedPlan["steps"][number], missing: MissingPrerequisite[]): void {
  const note = step.packet.problems.length > 0 ? ` (${step.packet.problems.join("; ")})` : "";
  if (step.packet.files.length === 0) {
    missing.push({
      what: "plan_step",
      path: step.file,
      message: `step ${step.n} lists no files${note}`,
      fix: `Add a \`## Files\` section to ${step.file} listing each workspace-relative file the step changes, one \`- path\` per line.`,
    });
  }
  if (step.packet.verification.length === 0) {
    missing.push({
      what: "plan_step",
      path: step.file,
      message: `step ${step.n} lists no verification commands${note}`,
      fix: `Add a \`## Verification\` section to ${step.file} with a fenced block of the commands that prove the step done, one per line.`,
    });
  }
}
