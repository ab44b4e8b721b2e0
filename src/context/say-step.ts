// A step of a request on the daemon's console (`start`): one `progress` line each, whether Codex
// takes it (codex/invoke-codex.ts) or the relay itself (waiting for approval, a verification
// command). The relay's own steps also go to the request's event log, where a waiting client
// follows every step (cli/follow-progress.ts).
import { appendRelayEvent } from "../protocol/event-log.js";
import type { Logger } from "./logger.js";
import type { RelayContext } from "./relay-context.js";

/** The log event of a step; a waiting client leaves it to its own follower. */
export const PROGRESS_LOG_EVENT = "progress";

export function logStep(logger: Logger, id: string, step: string, tokens?: number | null): void {
  logger.log("info", PROGRESS_LOG_EVENT, { id, message: step, tokens: tokens ?? undefined });
}

/** A step the relay takes: on the console and in the event log. Progress only: it never fails the run. */
export async function sayStep(ctx: RelayContext, id: string, step: string): Promise<void> {
  const safe = ctx.redactor.redact(step); // a command line may carry a secret
  logStep(ctx.logger, id, safe);
  await appendRelayEvent(ctx.layout, id, { type: "relay.step", step: safe }, ctx.now()).catch((error: unknown) => {
    ctx.logger.log("warn", "event log not written", { id, message: error instanceof Error ? error.message : String(error) });
  });
}
