// The plan-run kind (PROTOCOL.md §5, plans): the steps of progress/plans/<id>/ in order, from step
// `from`, each a verified patch committed on `codex/plan-<id>` on top of the step before it (its
// sandbox starts at that commit), under the plan's one approval. The first step that fails stops
// the run; the report says which and how to resume (`codex-relay plan run <id> --from N`).
import { mkdir } from "node:fs/promises";
import { addUsage } from "../codex/usage.js";
import type { KindOutcome, KindRun } from "../context/kind-run.js";
import { RelayError } from "../errors.js";
import { planBranch } from "../protocol/layout.js";
import { FROM_KEY, PLAN_KEY } from "../protocol/plan-request.js";
import type { MissingPrerequisite } from "../protocol/patch-run.js";
import type { Usage } from "../protocol/result.js";
import { planRunCommand } from "../report/plan-command.js";
import { failedStep, planRunReportName, renderPlanRunReport, type PlanRunReport, type PlanRunStep } from "../report/plan-run-report.js";
import { loadTemplate } from "../report/templates.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { oneLine } from "../util/one-line.js";
import { posixRelative } from "../util/posix-relative.js";
import { reserveOutFile } from "../patch/out-file.js";
import { patchLimits, type PatchPlan } from "../patch/patch-plan.js";
import { runPlanned } from "../patch/run-patch.js";
import { builderHead } from "../patch/sandbox-commit.js";
import { resolveCommit } from "../patch/worktree-slot.js";
import { loadPlan, type LoadedPlan, type PlanStep } from "./load-plan.js";
import { checkPlanApproval } from "./plan-approval.js";
import { stepCommit } from "./step-commit.js";

export async function runPlan(run: KindRun): Promise<KindOutcome> {
  const { ctx } = run;
  const { layout } = ctx;
  const { planId, from } = planRunArgs(run);
  const plan = await loadPlan(layout, planId);
  if (from > plan.steps.length) {
    throw new RelayError("invalid_request", `plan ${plan.id} has ${plan.steps.length} step(s); \`${FROM_KEY}: ${from}\` names none`, {
      hint: `Start at a step from 1 to ${plan.steps.length}: \`${planRunCommand(plan.id, plan.steps.length)}\`.`,
    });
  }
  const branch = planBranch(plan.id);
  const report = (status: PlanRunReport["status"], steps: PlanRunStep[], extra: Partial<PlanRunReport>): PlanRunReport => ({
    id: run.id, plan: plan.id, title: plan.title, planFile: plan.planFile, branch, from, status, steps,
    failure: null, missing: [], routeDecision: posixRelative(layout.workspace, layout.planRoute(plan.id)), routeDecisionSha256: null, base: null,
    startedAt: ctx.now(), ...extra,
  });
  const notRun = (step: PlanStep): PlanRunStep => ({ n: step.n, title: step.packet.title, file: step.file, status: "not run", commit: null, report: null });

  const approval = await checkPlanApproval(layout, plan);
  const base = approval.ok ? await startingPoint(run, plan, from) : null;
  if (!approval.ok || !base?.ok) {
    const missing = !approval.ok ? approval.missing : base && !base.ok ? [base.missing] : [];
    const code = missing.some((m) => m.what === "stale_approval") ? "stale_approval" : "patch_prerequisites";
    const failure = { code, message: missing.map((m) => m.message).join("; "), hint: missing.map((m) => m.fix).join(" ") };
    const written = await writePlanReport(run, report("aborted", plan.steps.map(notRun), { missing, failure }));
    return {
      kind: "finish",
      status: "rejected",
      error: new RelayError(code, `plan ${plan.id} not started: ${failure.message}`, { hint: failure.hint }),
      summary: oneLine(`plan ${plan.id} not started (${missing.map((m) => m.what).join(", ")}); report ${written.relative}`, 300),
      auditFiles: [written.file],
    };
  }

  // Steps before `from` were committed by an earlier run.
  const steps: PlanRunStep[] = [];
  for (const step of plan.steps.slice(0, from - 1)) steps.push({ ...notRun(step), status: "committed", commit: await stepCommit(layout.workspace, plan.id, step.n) });
  const auditFiles: string[] = [];
  let usage: Usage | null = null;
  let startedAt: Date | null = null;
  let at = base.sha;
  let stopped: { step: PlanStep; outcome: KindOutcome } | null = null;
  for (const step of plan.steps.slice(from - 1)) {
    ctx.logger.log("info", "plan step started", { id: run.id, plan: plan.id, step: step.n, of: plan.steps.length });
    const outcome = await runPlanned(run, { ok: true, plan: stepPlan(run, plan, step, at, approval.sha256) });
    usage = addUsage(usage, outcome.usage ?? null);
    startedAt ??= outcome.startedAt ?? null;
    for (const file of outcome.auditFiles ?? []) if (!auditFiles.includes(file)) auditFiles.push(file); // the ledger comes with every step
    const stepReport = outcome.auditFiles?.[0] ? posixRelative(layout.workspace, outcome.auditFiles[0]) : null;
    if (outcome.status !== "completed") {
      steps.push({ ...notRun(step), status: "failed", report: stepReport });
      stopped = { step, outcome };
      break;
    }
    at = await resolveCommit(layout.workspace, `refs/heads/${branch}`);
    steps.push({ ...notRun(step), status: "committed", commit: at, report: stepReport });
  }
  steps.push(...plan.steps.slice(steps.length).map(notRun));

  const common = { usage, startedAt, kind: "finish" as const };
  if (stopped === null) {
    const written = await writePlanReport(run, report("passed", steps, { routeDecisionSha256: approval.sha256, base: base.builderHead }));
    return {
      ...common,
      status: "completed",
      summary: oneLine(`plan ${plan.id}: steps ${from}–${plan.steps.length} of ${plan.steps.length} committed on ${branch} (${at.slice(0, 12)}); merge with \`git merge --no-ff ${branch}\`; report ${written.relative}`, 400),
      auditFiles: [written.file, ...auditFiles],
    };
  }
  const { step, outcome } = stopped;
  const resume = planRunCommand(plan.id, step.n);
  const cause = outcome.error ?? new RelayError("internal_error", `step ${step.n} did not finish`);
  const error = new RelayError(cause.code, `plan ${plan.id} stopped at step ${step.n} of ${plan.steps.length} (${step.packet.title}): ${cause.message}`, {
    hint: `${cause.hint.replace(/\s*$/, "")} Then resume the plan from this step: \`${resume}\` (steps before it stay committed on ${branch}).`,
    cause,
  });
  const failure = { code: error.code, message: error.message, hint: error.hint };
  const written = await writePlanReport(run, report("failed", steps, { failure, routeDecisionSha256: approval.sha256, base: base.builderHead }));
  return {
    ...common,
    status: outcome.status === "completed" ? "failed" : outcome.status,
    error,
    summary: oneLine(`plan ${plan.id} stopped at step ${step.n} of ${plan.steps.length} (${cause.code}); resume with \`${resume}\`; report ${written.relative}`, 400),
    auditFiles: [written.file, ...auditFiles],
  };
}

/** The plan and first step a plan-run request names; `invalid_request` when it names none. */
export function planRunArgs(run: KindRun): { planId: string; from: number } {
  const data = run.request.frontMatter;
  const planId = typeof data[PLAN_KEY] === "string" || typeof data[PLAN_KEY] === "number" ? String(data[PLAN_KEY]).trim() : "";
  if (planId === "") {
    throw new RelayError("invalid_request", `a plan-run request needs \`${PLAN_KEY}: <plan id>\` in its front matter`, { hint: "Run `codex-relay plan run <id>`." });
  }
  const raw = data[FROM_KEY] ?? 1;
  const from = typeof raw === "number" || typeof raw === "string" ? Number(raw) : Number.NaN;
  if (!Number.isInteger(from) || from < 1) {
    throw new RelayError("invalid_request", `\`${FROM_KEY}: ${String(raw)}\` is not a step number (1, 2, …)`, { hint: `Run \`${planRunCommand(planId, 2)}\` with the step to start at.` });
  }
  return { planId, from };
}

type StartingPoint = { ok: true; sha: string; builderHead: string } | { ok: false; missing: MissingPrerequisite };

// Step 1 starts at the Builder's HEAD; step N at step N-1's commit on the plan branch.
async function startingPoint(run: KindRun, plan: LoadedPlan, from: number): Promise<StartingPoint> {
  const { workspace } = run.ctx.layout;
  const head = await builderHead(workspace).catch((cause: unknown) => {
    throw new RelayError("not_a_git_repo", `${workspace} is not a git repository with a commit`, { cause });
  });
  if (from === 1) return { ok: true, sha: head.sha, builderHead: head.sha };
  const previous = await stepCommit(workspace, plan.id, from - 1);
  if (previous !== null) return { ok: true, sha: previous, builderHead: head.sha };
  return {
    ok: false,
    missing: {
      what: "plan_step",
      path: plan.steps[from - 2]!.file,
      message: `step ${from - 1} of plan ${plan.id} is not committed on ${planBranch(plan.id)}, so step ${from} has nothing to build on`,
      fix: `Run the plan from an earlier step: \`${planRunCommand(plan.id, from - 1)}\` (or from the start: \`${planRunCommand(plan.id)}\`).`,
    },
  };
}

function stepPlan(run: KindRun, plan: LoadedPlan, step: PlanStep, base: string, routeSha256: string): PatchPlan {
  const { config } = run.ctx;
  return {
    mode: "patch",
    title: step.packet.title,
    description: [step.packet.description, `(Step ${step.n} of ${plan.steps.length} of the plan "${plan.title}"; the steps before it are already committed.)`].filter(Boolean).join("\n\n"),
    diagnosis: null,
    taskPacketPath: step.file,
    routeDecisionSha256: routeSha256,
    commands: step.packet.verification.map((command) => ({ name: command, command })),
    // The step may change only its own files, each approved by the plan's route decision.
    limits: patchLimits(config, step.packet.files),
    attempts: 1 + config.patch.repair_attempts,
    branch: planBranch(plan.id),
    planStep: { plan: plan.id, n: step.n, of: plan.steps.length, base, routeDecision: posixRelative(run.ctx.layout.workspace, run.ctx.layout.planRoute(plan.id)) },
  };
}

async function writePlanReport(run: KindRun, report: PlanRunReport): Promise<{ file: string; relative: string }> {
  const { ctx } = run;
  const { layout } = ctx;
  await mkdir(layout.out, { recursive: true });
  const file = await reserveOutFile(layout.out, ctx.now(), planRunReportName);
  await writeFileAtomic(file, ctx.redactor.redact(renderPlanRunReport(report, await loadTemplate("plan-run-report.md", layout.templates))), layout.tmp);
  const relative = posixRelative(layout.workspace, file);
  ctx.logger.log(failedStep(report) ? "warn" : "info", "plan run report written", { id: run.id, plan: report.plan, file: relative });
  return { file, relative };
}
