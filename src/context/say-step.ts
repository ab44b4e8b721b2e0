// A step the relay itself takes for a request (waiting for approval, running a verification
// command): appended to the request's event log, where a waiting client follows it, and said on
// the daemon's console as a `progress` line, as Codex's own steps are (codex/invoke-codex.ts).
import { appendRelayEvent } from "../protocol/event-log.js";
import type { RelayContext } from "./relay-context.js";

export async function sayStep(ctx: RelayContext, id: string, step: string): Promise<void> {
  const safe = ctx.redactor.redact(step); // a command line may carry a secret
  ctx.logger.log("info", "progress", { id, message: safe });
  await appendRelayEvent(ctx.layout, id, { type: "relay.step", step: safe }, ctx.now());
}
