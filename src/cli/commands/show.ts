// `codex-relay show <id>`: the RESULT when there is one, otherwise the request's current state.
import { layoutFor } from "../../protocol/layout.js";
import type { CommandInput } from "../command.js";
import { namedRequest } from "../named-request.js";
import { printResult } from "../print-result.js";
import { existingWorkspace } from "../workspace.js";

export async function run({ flags, positionals, io }: CommandInput<"show">): Promise<number> {
  const layout = layoutFor(existingWorkspace(flags, io.cwd));
  const { id, result } = await namedRequest(layout, positionals[0]);
  if (result) return printResult(io, layout, result, flags.json === true);
  // Only an unfinished request needs its claim and the config: loaded here, not for a finished one.
  const { printRequestState } = await import("../request-state.js");
  const state = await printRequestState(io, layout, id, flags.json === true);
  return state === "unknown" ? 1 : 0;
}
