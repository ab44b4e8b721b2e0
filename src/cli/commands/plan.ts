// `codex-relay plan ["<goal>"]`: Codex, read-only, splits a change too big for one patch into
// small verified steps, written as progress/plans/<id>/ (without a goal: progress/TASK_PACKET.md).
// `codex-relay plan run <id> [--from N]`: runs them in order on codex/plan-<id>, waited for
// unless --detach. A plan id or step that names nothing is refused before anything is written.
import { existsSync } from "node:fs";
import { layoutFor, TASK_PACKET_FILE } from "../../protocol/layout.js";
import { FROM_KEY, FROM_TASK_PACKET, PLAN_KEY } from "../../protocol/plan-request.js";
import type { CommandInput } from "../command.js";
import { given, publishAndMaybeWait } from "../publish-and-wait.js";
import { existingWorkspace } from "../workspace.js";

export async function run({ flags, positionals, io }: CommandInput<"plan">): Promise<number> {
  const usage = (message: string) => {
    io.stderr.write(`codex-relay plan: ${message}\n`);
    return 2;
  };
  if (positionals[0] === "run") return runSteps({ flags, positionals, io }, usage);
  if (positionals.length > 1) return usage(`one goal, in quotes: codex-relay plan "<goal>" (got ${positionals.length} arguments)`);
  if (flags.from !== undefined || flags.detach) return usage("--from and --detach go with `plan run <id>`");
  const goal = positionals[0]?.trim() ?? "";
  const model = given(flags.model);
  if (goal !== "") return publishAndMaybeWait(io, flags, { kind: "plan", issue: goal, model, requestedBy: "codex-relay plan" }, flags.wait === true);
  const layout = layoutFor(existingWorkspace(flags, io.cwd));
  if (!existsSync(layout.taskPacket)) return usage(`say what to plan: codex-relay plan "<goal>" (or write ${TASK_PACKET_FILE} and run \`codex-relay plan\` to plan it)`);
  const fields = { kind: "plan", issue: `Plan the task in ${TASK_PACKET_FILE}.`, extra: { [FROM_TASK_PACKET]: TASK_PACKET_FILE }, model, requestedBy: "codex-relay plan" } as const;
  return publishAndMaybeWait(io, flags, fields, flags.wait === true);
}

async function runSteps({ flags, positionals, io }: CommandInput<"plan">, usage: (message: string) => number): Promise<number> {
  const id = positionals[1]?.trim() ?? "";
  if (id === "") return usage("name the plan to run: codex-relay plan run <id> (its folder under progress/plans/)");
  if (flags.wait) return usage("`plan run` waits unless --detach; --wait goes with `plan \"<goal>\"`");
  const layout = layoutFor(existingWorkspace(flags, io.cwd));
  const { loadPlan } = await import("../../plan/load-plan.js");
  const plan = await loadPlan(layout, id); // unknown_plan: exit 2, nothing written
  const from = flags.from ?? 1;
  if (!Number.isInteger(from) || from < 1 || from > plan.steps.length) {
    return usage(`--from ${from}: plan ${plan.id} has steps 1 to ${plan.steps.length}`);
  }
  const fields = {
    kind: "plan-run",
    issue: `Run the plan ${plan.id} (${plan.title}) from step ${from} of ${plan.steps.length}.`,
    extra: { [PLAN_KEY]: plan.id, [FROM_KEY]: String(from) },
    model: given(flags.model),
    requestedBy: "codex-relay plan run",
  } as const;
  return publishAndMaybeWait(io, flags, fields, flags.detach !== true);
}
