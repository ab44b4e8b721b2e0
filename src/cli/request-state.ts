// Where an unfinished request stands, in words, read from the files alone (the daemon keeps no
// other state): see observe/request-records.ts.
import type { Layout } from "../protocol/layout.js";
import { readRequestRecord } from "../observe/request-records.js";
import type { CliIo } from "./command.js";
import { settingsOf } from "./observe-options.js";

/** The request's state in words (`awaiting approval`, `running 12 s`, …), or "unknown" when it has no files. */
export async function requestState(layout: Layout, id: string, io: CliIo): Promise<string> {
  const record = await readRequestRecord(layout, id, { now: new Date(), settings: settingsOf(layout, io) });
  if (!record) return "unknown";
  // `show` names one request: say how a request nobody serves gets served.
  return record.state === "waiting_for_daemon" ? `${record.stateText} (\`codex-relay start\`, or \`codex-relay run\` it)` : record.stateText;
}

/** Print the request's state as `show` does (`<id>: <state>`, or `{ id, state }` with --json); returns the state. */
export async function printRequestState(io: CliIo, layout: Layout, id: string, json: boolean): Promise<string> {
  const state = await requestState(layout, id, io);
  if (json) io.stdout.write(`${JSON.stringify({ id, state })}\n`);
  else io.stdout.write(`${id}: ${state}\n`);
  return state;
}
