// The commands a report or an error hands the Builder for plans, exactly as to be typed: a change
// too big for one patch goes to `codex-relay plan`, a stopped plan resumes with `plan run --from`.
import { TASK_PACKET_FILE } from "../protocol/layout.js";
import type { LimitCode } from "../protocol/patch-run.js";
import { stripControl } from "../util/control-chars.js";

/** `codex-relay plan "<goal>"`, quoted for a POSIX shell; without a goal, plans progress/TASK_PACKET.md. */
export function planCommand(goal: string | null): string {
  const text = goal === null ? "" : stripControl(goal.replace(/\s+/g, " ")).trim();
  return text === "" ? "codex-relay plan" : `codex-relay plan ${shellQuote(text)}`;
}

/** `codex-relay plan run <id>`, with `--from N` past the first step. */
export function planRunCommand(id: string, from = 1): string {
  return from > 1 ? `codex-relay plan run ${id} --from ${from}` : `codex-relay plan run ${id}`;
}

// Double quotes read best; inside them only `"`, `\`, `$` and a backtick are special.
function shellQuote(text: string): string {
  return `"${text.replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
}

/** The limits a change too big for one patch breaks (as opposed to what it touches). */
export const SIZE_CODES: readonly LimitCode[] = ["too_many_files", "file_too_large", "too_many_lines"];

export interface SizedRun {
  readonly kind: "patch" | "micro";
  /** The micro edit's change (its first line), or the task's title. */
  readonly title: string;
  /** The task packet the patch followed: progress/TASK_PACKET.md, or a plan's step-NN.md. */
  readonly taskPacketPath: string | null;
  readonly violations: readonly { readonly code: LimitCode }[];
}

/** For a change rejected for its size: plan it in small steps, with the exact command. Null when size was not the problem. */
export function sizeAdvice(run: SizedRun): string | null {
  if (!run.violations.some((v) => SIZE_CODES.includes(v.code))) return null;
  if (run.kind === "micro") return `The change is too big for a micro edit: plan it as small verified steps with \`${planCommand(run.title)}\``;
  if (run.taskPacketPath !== null && run.taskPacketPath !== TASK_PACKET_FILE) {
    return `The step is too big for one patch: split ${run.taskPacketPath} into smaller steps of its plan, then resume the plan from it`;
  }
  return `The change is too big for one patch: plan ${TASK_PACKET_FILE} as small verified steps with \`${planCommand(null)}\``;
}
