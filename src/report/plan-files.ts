// The files a drafted plan is written as (PROTOCOL.md §5, plans): progress/plans/<id>/PLAN.md for
// people, with a ready-to-fill route decision approving the union of the steps' files, and one task
// packet per step, step-NN.md, which `plan run` reads. Pure.
import { planBranch, planStepName } from "../protocol/layout.js";
import type { PlanReply, PlanStepReply } from "../protocol/plan.js";
import type { PatchLimits } from "../protocol/patch-run.js";
import { fenced, inlineCode, routeDecisionBlock } from "./report-text.js";
import { renderTemplate } from "./templates.js";

export interface PlanFilesInput {
  readonly id: string;
  readonly goal: string;
  readonly createdAt: Date;
  /** The plan as checked: every step's paths normalized, its commands cleaned. */
  readonly plan: PlanReply;
  readonly limits: Pick<PatchLimits, "maxFiles" | "maxLinesPerFile" | "maxTotalLines">;
  /** Workspace-relative path of the plan's route decision. */
  readonly routeDecisionPath: string;
  readonly codexVersion: string | null;
  readonly model: string | null;
  readonly threadId: string | null;
}

/** step-NN.md for step `n` (1-based) of the plan. */
export function renderPlanStep(input: PlanFilesInput, n: number, template: string): string {
  const step = input.plan.steps[n - 1]!;
  return renderTemplate(template, {
    plan_id: input.id,
    n,
    steps: input.plan.steps.length,
    title: oneLine(step.title),
    // A heading line in Codex's text would end the description early and could forge a section.
    description: step.description.trim().replace(/^(\s{0,3})#/gm, "$1\\#"),
    files: step.files.map((f) => ({ path: inlineCode(f.path), reason: oneLine(f.reason) || "changed by this step" })),
    expected_files: step.expected_files,
    expected_lines: step.expected_lines,
    max_files: input.limits.maxFiles,
    max_lines_per_file: input.limits.maxLinesPerFile,
    max_total_lines: input.limits.maxTotalLines,
    verification: [fenced(step.verification.join("\n"))],
  });
}

export function renderPlanFile(input: PlanFilesInput, template: string): string {
  const { plan } = input;
  return renderTemplate(template, {
    id: input.id,
    title: oneLine(plan.title),
    goal: oneLine(input.goal),
    timestamp: input.createdAt.toISOString(),
    branch: planBranch(input.id),
    codex_line: [`version ${input.codexVersion ?? "unknown"}`, input.model && `model ${input.model}`, input.threadId && `thread ${input.threadId}`].filter(Boolean).join(", "),
    summary: plan.summary.trim(),
    steps: plan.steps.map((step, i) => ({
      n: i + 1,
      title: cell(step.title),
      file: planStepName(i + 1),
      files: step.files.map((f) => inlineCode(f.path)).join(", "),
      expected_files: step.expected_files,
      expected_lines: step.expected_lines,
      verification: step.verification.map((command) => inlineCode(cell(command))).join("<br>"),
    })),
    risks: plan.risks.map(oneLine).filter(Boolean),
    route_decision_path: input.routeDecisionPath,
    route_decision: fenced(routeDecision(input.id, plan.title, plan.steps)),
  });
}

/** The files of every step, in step order, without repeats. */
export function planFiles(steps: readonly Pick<PlanStepReply, "files">[]): string[] {
  return [...new Set(steps.flatMap((step) => step.files.map((f) => f.path)))];
}

function routeDecision(id: string, title: string, steps: readonly PlanStepReply[]): string {
  return routeDecisionBlock(`plan ${id} (${oneLine(title)})`, [], planFiles(steps));
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

// A table cell: one line, and a `|` would end the cell.
function cell(text: string): string {
  return oneLine(text).replace(/\|/g, "\\|");
}
