// The relay's own events in a request's event log, CODEX_DELEGATION_LOG_<id>.jsonl (PROTOCOL.md
// §3.3), beside Codex's: what the relay is doing when Codex is not working (waiting for approval,
// running a verification command), where Codex works, and the tokens spent so far.
import { appendFile } from "node:fs/promises";
import type { Layout } from "./layout.js";

export type RelayEvent =
  | { readonly type: "relay.step"; readonly step: string }
  | { readonly type: "relay.codex_started"; readonly cwd: string }
  | {
      readonly type: "relay.usage";
      readonly input_tokens: number;
      readonly cached_input_tokens: number;
      readonly output_tokens: number;
      readonly reasoning_output_tokens: number;
    };

/** One line of the log: the event with the time it happened. */
export function relayEventLine(event: RelayEvent, at: Date): string {
  return `${JSON.stringify({ ...event, at: at.toISOString() })}\n`;
}

/** Append `event` to request `id`'s log (one write: O_APPEND keeps lines whole beside Codex's). */
export async function appendRelayEvent(layout: Layout, id: string, event: RelayEvent, at: Date): Promise<void> {
  await appendFile(layout.log(id), relayEventLine(event, at));
}
