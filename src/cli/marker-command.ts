// `cancel` and `approve` each drop one marker file the daemon reacts to (PROTOCOL.md §3.5–3.6).
import { layoutFor } from "../protocol/layout.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { checkId } from "./check-id.js";
import type { CommandInput } from "./command.js";
import { resolveWorkspace } from "./workspace.js";

export function markerCommand(marker: "cancel" | "approve", said: string) {
  return async ({ flags, positionals, io }: CommandInput<"cancel" | "approve">): Promise<number> => {
    const id = checkId(positionals[0], io);
    if (!id) return 2;
    const layout = layoutFor(resolveWorkspace(flags, io.cwd));
    await writeFileAtomic(layout[marker](id), `${said} at ${new Date().toISOString()}\n`, layout.tmp);
    io.stdout.write(`${said} ${id}\n`);
    return 0;
  };
}
