// `codex-relay status`: every request in the inbox with its state, newest first.
import { readdir } from "node:fs/promises";
import { layoutFor, REQUEST_FILE, RESULT_JSON_FILE } from "../../protocol/layout.js";
import type { CommandInput } from "../command.js";
import { requestState } from "../request-state.js";
import { existingWorkspace } from "../workspace.js";

export async function run({ flags, io }: CommandInput<"status">): Promise<number> {
  const layout = layoutFor(existingWorkspace(flags, io.cwd));
  const names = await readdir(layout.inbox).catch(() => [] as string[]);
  const ids = new Set<string>();
  for (const name of names) {
    const id = REQUEST_FILE.exec(name)?.[1] ?? RESULT_JSON_FILE.exec(name)?.[1];
    if (id) ids.add(id);
  }
  const rows = await Promise.all([...ids].sort().reverse().map(async (id) => ({ id, state: await requestState(layout, id) })));
  if (flags.json) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else if (rows.length === 0) io.stdout.write(`no requests in ${layout.inbox}\n`);
  else io.stdout.write(rows.map((r) => `${r.id}  ${r.state}`).join("\n") + "\n");
  return 0;
}
