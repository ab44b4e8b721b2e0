// `codex-relay status`: the workspace's requests, newest first, each with its state in words, its
// issue, age, duration, tokens and cost, and for a patch its branch and commit; read from the files.
import { readRequestRecords } from "../../observe/request-records.js";
import { layoutFor } from "../../protocol/layout.js";
import { renderStatusTable } from "../../report/status-table.js";
import { RelayError } from "../../errors.js";
import type { CommandInput } from "../command.js";
import { kindsOf, settingsOf, sinceOf, statesOf } from "../observe-options.js";
import { existingWorkspace } from "../workspace.js";

const DEFAULT_LIMIT = 50;

export async function run({ flags, io }: CommandInput<"status">): Promise<number> {
  const layout = layoutFor(existingWorkspace(flags, io.cwd));
  const now = new Date();
  // Every flag is checked before anything is read.
  const since = sinceOf(flags.since, now);
  const states = statesOf(flags.state);
  const kinds = kindsOf(flags.kind);
  const limit = flags.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new RelayError("invalid_argument", `--limit ${flags.limit}: not a whole number ≥ 0`, { hint: "Give --limit how many requests to show, or 0 for all." });
  }
  const records = await readRequestRecords(layout, { now, since, states, kinds, limit, settings: settingsOf(layout, io) });
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
    return 0;
  }
  const filtered = since || states || kinds;
  if (records.length === 0) {
    io.stdout.write(filtered ? "no request matches\n" : `no requests in ${layout.inbox}\n`);
    return 0;
  }
  io.stdout.write(renderStatusTable(records));
  if (limit > 0 && records.length === limit) io.stdout.write(`(the newest ${limit} shown; --limit 0 shows all)\n`);
  if (records.some((r) => r.state === "waiting_for_daemon")) io.stdout.write("no daemon is running: `codex-relay start` serves the queue (or `codex-relay run <request-file>` one request)\n");
  if (records.some((r) => r.awaiting === "approve_marker")) io.stdout.write("held for approval: `codex-relay approve <id>` lets one run\n");
  if (records.some((r) => r.awaiting === "route_decision")) io.stdout.write("a patch waits for progress/ROUTE_DECISION.md to grant codex-rw with approved_by\n");
  return 0;
}
