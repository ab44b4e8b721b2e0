// What one patch or micro run will do, decided before anything is touched: its title, the
// commands that verify it, its limits and branch. A patch needs its prerequisites (PROTOCOL.md §5);
// a micro edit needs only its description.
import type { KindRun } from "../context/kind-run.js";
import type { Config } from "../config/schema.js";
import type { UsedDiagnosis } from "./diagnosis-files.js";
import { checkPrerequisites } from "./prerequisites.js";
import type { MissingPrerequisite, PatchLimits } from "../protocol/patch-run.js";
import { TASK_PACKET_FILE } from "../protocol/layout.js";

export interface PatchPlan {
  readonly mode: "patch" | "micro";
  readonly title: string;
  readonly description: string;
  /** Exactly the diagnosis the route decision names (the newest when it names none). */
  readonly diagnosis: UsedDiagnosis | null;
  readonly taskPacketPath: string | null;
  /** sha256 of the route decision that approved this run (null for micro). */
  readonly routeDecisionSha256: string | null;
  /** Verification commands (patch) or quality gates (micro: resolved in the worktree). */
  readonly commands: readonly { readonly name: string; readonly command: string }[] | "gates";
  readonly limits: PatchLimits;
  /** Codex runs in all: the first plus repairs. */
  readonly attempts: number;
  readonly branch: string;
  /** A plan's step (src/plan/): null for a patch or micro edit, which start at the Builder's HEAD. */
  readonly planStep: PlanStepRun | null;
}

/**
 * Where a plan's step starts and how its commit is named: the sandbox starts at `base` (the
 * previous step's commit, or the Builder's HEAD for step 1) on the plan branch, which outlives a
 * failed later step (it holds the steps before it) and is never merged step by step.
 */
export interface PlanStepRun {
  readonly plan: string;
  readonly n: number;
  readonly of: number;
  readonly base: string;
  /** The plan's route decision, workspace-relative (the step's report names it). */
  readonly routeDecision: string;
}

export type PlanResult = { ok: true; plan: PatchPlan } | { ok: false; title: string; missing: MissingPrerequisite[]; limits: PatchLimits };

export async function planPatch(run: KindRun): Promise<PlanResult> {
  const { config, layout } = run.ctx;
  const limits = patchLimits(config, null);
  const checked = await checkPrerequisites(layout, { requireDiagnosis: true, requireRoute: true });
  if (!checked.ok) return { ok: false, title: checked.packet?.title ?? "Untitled task", missing: checked.missing, limits };
  const { packet, route, routeSha256, diagnosis } = checked;
  return {
    ok: true,
    plan: {
      mode: "patch",
      title: packet.title,
      description: [packet.description, run.request.issue.trim()].filter(Boolean).join("\n\n"),
      diagnosis,
      taskPacketPath: TASK_PACKET_FILE,
      routeDecisionSha256: routeSha256,
      commands: packet.verification.map((command) => ({ name: command, command })),
      limits: patchLimits(config, route?.approvedFiles ?? []),
      attempts: 1 + config.patch.repair_attempts,
      branch: `codex/patch-${run.id}`,
      planStep: null,
    },
  };
}

export function planMicro(run: KindRun): PlanResult {
  const { config } = run.ctx;
  const description = run.request.issue.trim();
  return {
    ok: true,
    plan: {
      mode: "micro",
      title: description.split("\n", 1)[0] ?? "",
      description: [description, run.request.context.trim()].filter(Boolean).join("\n\n"),
      diagnosis: null,
      taskPacketPath: null,
      routeDecisionSha256: null,
      commands: "gates",
      limits: {
        maxFiles: config.micro.max_files,
        maxLinesPerFile: config.micro.max_lines,
        maxTotalLines: config.micro.max_lines,
        approvedFiles: run.request.files.length > 0 ? run.request.files : null,
        allowDependencyChanges: false,
        protectedPaths: config.patch.protected,
      },
      attempts: config.micro.attempts,
      branch: `codex/micro-${run.id}`,
      planStep: null,
    },
  };
}

export function patchLimits(config: Config, approved: readonly string[] | null): PatchLimits {
  return {
    maxFiles: config.patch.max_files,
    maxLinesPerFile: config.patch.max_lines_per_file,
    maxTotalLines: config.patch.max_total_lines,
    approvedFiles: approved,
    allowDependencyChanges: config.patch.allow_dependency_changes,
    protectedPaths: config.patch.protected,
  };
}
