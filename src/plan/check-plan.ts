// Codex's plan checked before a file of it is written (PROTOCOL.md §5, plans): every step within
// the patch limits, its files inside the workspace and off the protected paths, its verification
// commands runnable without a shell. Pure: a plan that fails comes back with every problem named.
import type { PatchLimits } from "../protocol/patch-run.js";
import type { PlanReply, PlanStepReply } from "../protocol/plan.js";
import { normalizeApprovedPath } from "../protocol/route-decision.js";
import { cleanCommand } from "../protocol/task-packet.js";
import { parseCommandLine } from "../patch/command-line.js";
import { protectedGlobOf } from "../patch/limits.js";

/** More steps than this is no longer a plan a person reviews in one sitting. */
export const MAX_PLAN_STEPS = 12;

export type CheckedPlan = { readonly ok: true; readonly plan: PlanReply } | { readonly ok: false; readonly problems: string[] };

/** `fallbackVerification`: the task's own commands, for a step that names none. */
export function checkPlan(reply: PlanReply, limits: PatchLimits, fallbackVerification: readonly string[]): CheckedPlan {
  const problems: string[] = [];
  if (reply.steps.length === 0) problems.push("the plan has no steps");
  if (reply.steps.length > MAX_PLAN_STEPS) problems.push(`the plan has ${reply.steps.length} steps, more than the ${MAX_PLAN_STEPS} allowed`);
  const steps = reply.steps.map((step, i) => checkStep(step, i + 1, limits, fallbackVerification, problems));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, plan: { ...reply, steps } };
}

function checkStep(step: PlanStepReply, n: number, limits: PatchLimits, fallback: readonly string[], problems: string[]): PlanStepReply {
  const at = `step ${n}`;
  if (step.title.trim() === "") problems.push(`${at} has no title`);
  const files: PlanStepReply["files"] = [];
  for (const file of step.files) {
    const normalized = normalizeApprovedPath(file.path);
    if (!normalized.ok) problems.push(`${at}: ${normalized.reason}`);
    else if (normalized.path === "") continue;
    else if (protectedGlobOf(normalized.path, limits.protectedPaths) !== null) problems.push(`${at}: \`${normalized.path}\` is a protected path; no patch may change it`);
    else if (!files.some((f) => f.path === normalized.path)) files.push({ path: normalized.path, reason: file.reason });
  }
  if (files.length === 0) problems.push(`${at} names no file it changes`);
  if (files.length > limits.maxFiles) problems.push(`${at} changes ${files.length} files (limit ${limits.maxFiles} per patch)`);
  if (step.expected_files > limits.maxFiles) problems.push(`${at} expects ${step.expected_files} changed files (limit ${limits.maxFiles} per patch)`);
  if (step.expected_lines > limits.maxTotalLines) problems.push(`${at} expects ${step.expected_lines} changed lines (limit ${limits.maxTotalLines} per patch)`);
  let verification = [...new Set(step.verification.map(cleanCommand).filter((line): line is string => line !== null))];
  if (verification.length === 0) verification = [...fallback];
  if (verification.length === 0) problems.push(`${at} names no verification commands`);
  for (const command of verification) {
    const parsed = parseCommandLine(command);
    if (!parsed.ok) problems.push(`${at}: ${parsed.error.message}`);
  }
  return { ...step, title: step.title.trim(), files, verification, expected_files: Math.max(0, Math.round(step.expected_files)), expected_lines: Math.max(0, Math.round(step.expected_lines)) };
}
