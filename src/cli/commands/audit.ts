// `codex-relay audit`: figures over the workspace's finished requests (RESULTs, the ledger, and
// the audit branch for requests whose files are gone), as tables, or JSON for tools.
import { readAuditFigures } from "../../observe/audit-figures.js";
import { layoutFor } from "../../protocol/layout.js";
import { renderAuditTable } from "../../report/audit-table.js";
import type { CommandInput } from "../command.js";
import { settingsOf, sinceOf } from "../observe-options.js";
import { existingWorkspace } from "../workspace.js";

export async function run({ flags, io }: CommandInput<"audit">): Promise<number> {
  const layout = layoutFor(existingWorkspace(flags, io.cwd));
  const now = new Date();
  const since = sinceOf(flags.since, now);
  const figures = await readAuditFigures(layout, { now, since, settings: settingsOf(layout, io) });
  io.stdout.write(flags.json ? `${JSON.stringify(figures, null, 2)}\n` : renderAuditTable(figures));
  return 0;
}
