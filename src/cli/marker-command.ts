// `cancel` and `approve` each drop one marker file the daemon reacts to (PROTOCOL.md §3.5–3.6),
// only for a request that exists and has not finished: a marker for anything else would be a
// phantom (a RESULT for a request that never was) or stale.
import { layoutFor } from "../protocol/layout.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import type { CommandInput } from "./command.js";
import { namedRequest } from "./named-request.js";
import { existingWorkspace } from "./workspace.js";

/** `text`: the marker's content (the approver and time for APPROVE). */
export function markerCommand(marker: "cancel" | "approve", said: string, text: (input: CommandInput<"cancel" | "approve">) => string) {
  return async (input: CommandInput<"cancel" | "approve">): Promise<number> => {
    const { flags, positionals, io } = input;
    const layout = layoutFor(existingWorkspace(flags, io.cwd));
    const { id, result, finished } = await namedRequest(layout, positionals[0]);
    if (finished) {
      const status = result ? result.status : "its RESULT .json does not read as one";
      io.stderr.write(`codex-relay ${marker}: ${id} has already finished (${status}); nothing to ${marker}, nothing written\n`);
      return 1;
    }
    await writeFileAtomic(layout[marker](id), text(input), layout.tmp);
    io.stdout.write(`${said} ${id}\n`);
    return 0;
  };
}
