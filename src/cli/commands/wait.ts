// `codex-relay wait <id>`: block until the RESULT exists, print it, exit 0 only when completed.
import { layoutFor } from "../../protocol/layout.js";
import { checkId } from "../check-id.js";
import type { CommandInput } from "../command.js";
import { awaitAndPrint } from "../wait-and-print.js";
import { resolveWorkspace } from "../workspace.js";

export async function run({ flags, positionals, io }: CommandInput<"wait">): Promise<number> {
  const id = checkId(positionals[0], io);
  if (!id) return 2;
  const layout = layoutFor(resolveWorkspace(flags, io.cwd));
  return awaitAndPrint(io, layout, id, { json: flags.json === true, timeoutS: flags.timeout, processIfNoDaemon: false });
}
