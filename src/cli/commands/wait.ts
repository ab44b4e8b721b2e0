// `codex-relay wait <id>`: block until the RESULT exists, print it, exit 0 only when completed.
import { layoutFor } from "../../protocol/layout.js";
import type { CommandInput } from "../command.js";
import { namedRequest } from "../named-request.js";
import { awaitAndPrint } from "../wait-and-print.js";
import { existingWorkspace } from "../workspace.js";

export async function run({ flags, positionals, io }: CommandInput<"wait">): Promise<number> {
  const layout = layoutFor(existingWorkspace(flags, io.cwd));
  const { id } = await namedRequest(layout, positionals[0]); // an id nobody asked for would be waited on forever
  return awaitAndPrint(io, layout, id, { json: flags.json === true, timeoutS: flags.timeout, processIfNoDaemon: false });
}
