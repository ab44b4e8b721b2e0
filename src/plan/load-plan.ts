// src/plan/: the plan kinds (PROTOCOL.md §5, plans), drafting a plan and running its steps. It
// sits between daemon/ and the kinds it drives: cli → daemon → plan → {analysis, patch,
// transcripts} → codex → … A plan run is patches in a row, so plan/ imports patch/, never back.
//
// This file reads a plan from disk, progress/plans/<id>/: PLAN.md marks a whole plan, and its
// steps are the task packets step-01.md, step-02.md, … in number order.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { RelayError } from "../errors.js";
import { ID_PATTERN, PLAN_STEP_FILE, PLANS_DIR, type Layout } from "../protocol/layout.js";
import { outlineMarkdown } from "../protocol/markdown-outline.js";
import { parsePlanStep, type PlanStepPacket } from "../protocol/plan-step.js";
import { readFrontMatterTolerantly } from "../protocol/front-matter.js";
import { nearest } from "../util/edit-distance.js";
import { posixRelative } from "../util/posix-relative.js";
import { readSmallFile } from "../patch/small-file.js";

export interface PlanStep {
  /** 1-based, as in step-NN.md. */
  readonly n: number;
  /** Workspace-relative path of its task packet. */
  readonly file: string;
  readonly packet: PlanStepPacket;
  readonly mtimeMs: number;
}

export interface LoadedPlan {
  readonly id: string;
  readonly title: string;
  /** Workspace-relative path of PLAN.md. */
  readonly planFile: string;
  readonly steps: readonly PlanStep[];
  /** The newest write among PLAN.md and the steps: an approval must come after it. */
  readonly newestMtimeMs: number;
}

/** The plan `raw` names, read whole; throws `unknown_plan` for an id that names none (nothing is written). */
export async function loadPlan(layout: Layout, raw: string): Promise<LoadedPlan> {
  const id = raw.trim();
  // The id becomes a path: only the request-id shape, so it can never leave progress/plans/.
  if (!ID_PATTERN.test(id)) {
    throw new RelayError("unknown_plan", `\`${raw}\` is not a plan id (expected YYYYMMDD_HHMMSS, the id of the \`plan\` request that wrote it)`, {
      hint: await suggestPlans(layout, raw),
    });
  }
  const planFile = layout.planFile(id);
  const read = await readSmallFile(planFile);
  if (!read.ok) {
    const where = posixRelative(layout.workspace, planFile);
    throw new RelayError("unknown_plan", read.absent ? `no plan ${id}: ${where} does not exist; nothing was written` : `plan ${id} cannot be used: ${where} ${read.reason}`, {
      hint: read.absent ? await suggestPlans(layout, id) : `Make ${where} a regular file (re-run \`codex-relay plan\` to write it again).`,
    });
  }
  const names = (await readdir(layout.plan(id))).filter((name) => PLAN_STEP_FILE.test(name));
  const numbered = names.map((name) => ({ name, n: Number(PLAN_STEP_FILE.exec(name)![1]) })).sort((a, b) => a.n - b.n);
  const where = posixRelative(layout.workspace, layout.plan(id));
  if (numbered.length === 0) {
    throw new RelayError("unknown_plan", `plan ${id} has no steps: ${where}/ holds no step-NN.md`, { hint: `Re-run \`codex-relay plan\`, or write the steps as ${where}/step-01.md, step-02.md, …` });
  }
  const steps: PlanStep[] = [];
  for (const [i, { name, n }] of numbered.entries()) {
    if (n !== i + 1) {
      throw new RelayError("unknown_plan", `plan ${id}'s steps are not numbered 1, 2, 3, …: ${where}/ has ${numbered.map((s) => s.name).join(", ")}`, {
        hint: `Rename the step files in ${where}/ so they number 1 to ${numbered.length} without gaps.`,
      });
    }
    const file = path.join(layout.plan(id), name);
    const step = await readSmallFile(file);
    const rel = posixRelative(layout.workspace, file);
    if (!step.ok) throw new RelayError("unknown_plan", `plan ${id}: ${rel} ${step.reason}`, { hint: `Make ${rel} a regular Markdown file.` });
    steps.push({ n, file: rel, packet: parsePlanStep(step.text), mtimeMs: step.mtimeMs });
  }
  return {
    id,
    title: planTitle(read.text) || id,
    planFile: posixRelative(layout.workspace, planFile),
    steps,
    newestMtimeMs: Math.max(read.mtimeMs, ...steps.map((s) => s.mtimeMs)),
  };
}

function planTitle(text: string): string {
  const heading = outlineMarkdown(readFrontMatterTolerantly(text, []).body).sections.find((s) => s.level === 1);
  return (heading?.title ?? "").replace(/^plan\s*:\s*/i, "").trim();
}

async function suggestPlans(layout: Layout, wanted: string): Promise<string> {
  const ids = (await readdir(path.join(layout.workspace, PLANS_DIR)).catch(() => [] as string[])).filter((name) => ID_PATTERN.test(name));
  if (ids.length === 0) return `${PLANS_DIR}/ holds no plans yet: write one with \`codex-relay plan "<goal>"\``;
  return `nearest: ${nearest(wanted, ids, 3).join(", ")} (each a folder under ${PLANS_DIR}/)`;
}
