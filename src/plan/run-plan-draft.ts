// The plan kind (PROTOCOL.md §5, plans): Codex, read-only, splits a change too big for one patch
// into ordered small steps, and the daemon writes them as progress/plans/<id>/: one task packet
// per step, then PLAN.md (last: it marks a whole plan), with the approval to fill in.
import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { askCodex } from "../codex/ask-codex.js";
import type { ReplySchema } from "../codex/reply-schema.js";
import type { KindOutcome, KindRun } from "../context/kind-run.js";
import { RelayError } from "../errors.js";
import { PLAN_STEP_FILE, TASK_PACKET_FILE } from "../protocol/layout.js";
import { PlanReply, planJsonSchema } from "../protocol/plan.js";
import { FROM_TASK_PACKET } from "../protocol/plan-request.js";
import { parseTaskPacket, type TaskPacket } from "../protocol/task-packet.js";
import { planRunCommand } from "../report/plan-command.js";
import { renderPlanFile, renderPlanStep, type PlanFilesInput } from "../report/plan-files.js";
import { loadTemplate, renderTemplate } from "../report/templates.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { oneLine } from "../util/one-line.js";
import { posixRelative } from "../util/posix-relative.js";
import { readIfExists } from "../util/read-if-exists.js";
import { patchLimits } from "../patch/patch-plan.js";
import { checkPlan, MAX_PLAN_STEPS } from "./check-plan.js";

const PLAN_REPLY: ReplySchema<PlanReply> = { name: "plan", type: PlanReply, json: planJsonSchema };

export async function runPlanDraft(run: KindRun): Promise<KindOutcome> {
  const { ctx, id, request } = run;
  const { layout, config } = ctx;
  const packet = request.frontMatter[FROM_TASK_PACKET] === undefined ? null : await readTaskPacket(layout.taskPacket);
  const goal = request.issue.trim();
  if (packet === null && request.frontMatter[FROM_TASK_PACKET] !== undefined) {
    throw new RelayError("patch_prerequisites", `nothing to plan: ${TASK_PACKET_FILE} does not exist`, {
      hint: `Write ${TASK_PACKET_FILE} (a title, a description and a ## Verification section), or run \`codex-relay plan "<goal>"\`.`,
    });
  }
  const title = packet?.title ?? oneLine(goal.split("\n", 1)[0] ?? "", 80);
  const limits = patchLimits(config, null);
  const verification = packet?.verification ?? [];
  const prompt = ctx.redactor.redact(
    renderTemplate(await loadTemplate("plan-prompt.md", layout.templates), {
      title,
      description: packet?.description || goal,
      has_verification: verification.length > 0,
      verification,
      extra: request.context.trim() || null,
      max_files: limits.maxFiles,
      max_lines_per_file: limits.maxLinesPerFile,
      max_total_lines: limits.maxTotalLines,
      max_steps: MAX_PLAN_STEPS,
    }),
  );

  const turn = await askCodex(run, { cwd: layout.workspace, sandbox: "read-only", prompt, schema: PLAN_REPLY });
  if (turn.kind !== "replied") return turn.outcome;
  const checked = checkPlan(turn.reply, limits, verification);
  if (!checked.ok) {
    const error = new RelayError("invalid_reply", `Codex's plan cannot be run as bounded patches, so none of it was written: ${checked.problems.join("; ")}`, {
      hint: "Run `codex-relay plan` again, with a narrower goal or more context on how to split it; the raw plan is kept in `raw_reply`.",
    });
    return { ...turn.base, status: "failed", error, rawReply: JSON.stringify(turn.reply, null, 2) };
  }

  const plan = checked.plan;
  const input: PlanFilesInput = {
    id, goal: packet ? `${TASK_PACKET_FILE}: ${packet.title}` : goal, createdAt: ctx.now(), plan, limits,
    routeDecisionPath: posixRelative(layout.workspace, layout.planRoute(id)),
    codexVersion: run.codex.version, model: run.codex.model, threadId: run.codex.thread_id,
  };
  const dir = layout.plan(id);
  await mkdir(dir, { recursive: true });
  // A re-run of the same request (after a daemon restart) rewrites the plan whole.
  for (const name of (await readdir(dir)).filter((n) => PLAN_STEP_FILE.test(n))) await rm(path.join(dir, name), { force: true });
  const stepTemplate = await loadTemplate("plan-step.md", layout.templates);
  const written: string[] = [];
  for (let n = 1; n <= plan.steps.length; n += 1) {
    await writeFileAtomic(layout.planStep(id, n), ctx.redactor.redact(renderPlanStep(input, n, stepTemplate)), layout.tmp);
    written.push(layout.planStep(id, n));
  }
  await writeFileAtomic(layout.planFile(id), ctx.redactor.redact(renderPlanFile(input, await loadTemplate("plan.md", layout.templates))), layout.tmp);
  written.unshift(layout.planFile(id));
  const where = posixRelative(layout.workspace, layout.planFile(id));
  ctx.logger.log("info", "plan written", { id, file: where, steps: plan.steps.length });
  return {
    ...turn.base,
    status: "completed",
    summary: `plan of ${plan.steps.length} step(s) written to ${where}; approve it in ${input.routeDecisionPath}, then run \`${planRunCommand(id)}\``,
    analysis: {
      root_cause: plan.summary,
      technical_explanation: plan.steps.map((step, i) => `${i + 1}. ${step.title}`).join("\n"),
      recommended_fixes: plan.steps.map((step, i) => ({ priority: i + 1, title: step.title, details: step.description, files: step.files.map((f) => f.path), code: null })),
      code_examples: [],
      additional_investigation: plan.risks,
      confidence: "medium",
    },
    auditFiles: written,
  };
}

async function readTaskPacket(file: string): Promise<TaskPacket | null> {
  const text = await readIfExists(file);
  return text === null ? null : parseTaskPacket(text);
}
