// After the sandbox is handed back: the patched files the Builder changed in its own checkout
// meanwhile, and the merge into the Builder's branch when the config asks for one.
import type { PatchRunReport } from "../protocol/patch-run.js";
import type { PatchState } from "./patch-state.js";
import { builderOverlap } from "./overlap.js";
import { mergeIntoBuilder } from "./sandbox-commit.js";

// Written by the daemon and the Builder's agent, never by a patch (limits.ts protects them).
const PROTOCOL_DIRS = ["out", "progress", ".autonomous_runs"];

export interface Delivery {
  readonly overlap: string[];
  readonly merge: PatchRunReport["merge"];
}

export async function deliverPatch(state: PatchState): Promise<Delivery> {
  const { run, plan, base } = state;
  const { config, layout } = run.ctx;
  // A plan's step is one commit of several: the plan branch is merged as a whole, by hand.
  if (plan.planStep) return { overlap: [], merge: null };
  const overlap = await builderOverlap(layout.workspace, base, state.snapshot, state.diff?.files.map((f) => f.path) ?? []);
  if (state.status !== "completed" || !config.patch.merge) return { overlap, merge: null };
  if (overlap.length > 0) {
    return { overlap, merge: { merged: false, commit: null, reason: `not merged: you changed ${overlap.join(", ")} in your checkout; review the branch and merge by hand` } };
  }
  const message = `Merge ${plan.branch}: ${state.reply?.commit.subject ?? plan.title}`;
  const merge = await mergeIntoBuilder({ repo: layout.workspace, branch: plan.branch, expectedHead: base, message, now: run.ctx.now(), ignorePaths: PROTOCOL_DIRS });
  return { overlap, merge };
}
