// out/codex-plan-run-YYYYMMDD-HHMMSS.md (PROTOCOL.md §5, plans): what one `plan run` did, step by
// step, and what to do next: merge the plan branch, or fix the failed step and resume from it. Pure.
import type { MissingPrerequisite } from "../protocol/patch-run.js";
import { planRunCommand } from "./plan-command.js";
import { fileStamp, inlineCode } from "./report-text.js";
import { renderTemplate } from "./templates.js";

export type PlanStepStatus = "committed" | "failed" | "not run";

export interface PlanRunStep {
  readonly n: number;
  readonly title: string;
  /** The step's task packet, workspace-relative. */
  readonly file: string;
  readonly status: PlanStepStatus;
  readonly commit: string | null;
  /** The step's patch report, workspace-relative. */
  readonly report: string | null;
}

export interface PlanRunReport {
  readonly id: string;
  readonly plan: string;
  readonly title: string;
  readonly planFile: string;
  readonly branch: string;
  readonly from: number;
  readonly status: "passed" | "failed" | "aborted";
  readonly steps: readonly PlanRunStep[];
  readonly failure: { readonly code: string; readonly message: string; readonly hint: string } | null;
  readonly missing: readonly MissingPrerequisite[];
  readonly routeDecision: string;
  readonly routeDecisionSha256: string | null;
  /** The Builder's HEAD the plan started from (step 1), for the review command. */
  readonly base: string | null;
  readonly startedAt: Date;
}

/** `codex-plan-run-YYYYMMDD-HHMMSS.md` (UTC). */
export function planRunReportName(at: Date): string {
  return `codex-plan-run-${fileStamp(at)}.md`;
}

/** The step a failed run stopped at (null when none failed). */
export function failedStep(report: Pick<PlanRunReport, "steps">): PlanRunStep | null {
  return report.steps.find((step) => step.status === "failed") ?? null;
}

export function renderPlanRunReport(report: PlanRunReport, template: string): string {
  const failed = failedStep(report);
  const total = report.steps.length;
  const committed = report.steps.filter((step) => step.status === "committed").length;
  return renderTemplate(template, {
    title: report.title,
    failed: failed !== null,
    failed_step: failed?.n,
    status_line:
      report.status === "passed"
        ? `PASSED: steps ${report.from}–${total} committed on \`${report.branch}\``
        : report.status === "aborted"
          ? "ABORTED: no step ran"
          : `FAILED at step ${failed?.n ?? "?"} of ${total} (${committed} step(s) committed in this run)`,
    plan: report.plan,
    plan_file: report.planFile,
    branch: report.branch,
    from: report.from,
    total,
    id: report.id,
    timestamp: report.startedAt.toISOString(),
    route_decision: report.routeDecision,
    route_decision_sha256: report.routeDecisionSha256,
    steps: report.steps.map((step) => ({
      n: step.n,
      title: step.title.replace(/\|/g, "\\|"),
      status: step.status,
      commit: step.commit ? inlineCode(step.commit.slice(0, 12)) : "",
      report: step.report ? `[${step.report}](../${step.report})` : "",
    })),
    has_missing: report.missing.length > 0,
    missing: report.missing,
    failure: report.failure,
    next_steps: nextSteps(report, failed),
  });
}

function nextSteps(report: PlanRunReport, failed: PlanRunStep | null): string[] {
  if (report.status === "passed") {
    return [
      ...(report.base ? [`Review the plan: \`git log --reverse -p ${report.base.slice(0, 12)}..${report.branch}\``] : []),
      `Merge it: \`git merge --no-ff ${report.branch}\``,
    ];
  }
  if (report.status === "aborted") {
    return [...report.missing.map((m) => m.fix), ...(report.missing.length === 0 && report.failure ? [report.failure.hint] : []), `Run it again: \`${planRunCommand(report.plan, report.from)}\``];
  }
  const from = failed?.n ?? report.from;
  return [
    `Read step ${from}'s report${failed?.report ? ` (${failed.report})` : ""}, then fix the step${failed ? ` (\`${failed.file}\`)` : ""} or the code it builds on`,
    `Resume from the failed step: \`${planRunCommand(report.plan, from)}\` (the steps before it stay committed on \`${report.branch}\`)`,
  ];
}
