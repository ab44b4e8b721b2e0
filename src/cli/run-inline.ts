// Process one request in this process, under the same claim a daemon would take, so a daemon
// started meanwhile never runs it twice. Used by `run` and by `delegate --wait` with no daemon.
import { existsSync } from "node:fs";
import { releaseClaim, tryClaim } from "../daemon/claims.js";
import { trackCodexPhase } from "../daemon/attempt-accounting.js";
import { RECONNECT_LOG_EVENT } from "../codex/reconnect.js";
import { createLogger } from "../context/logger.js";
import { PROGRESS_LOG_EVENT } from "../context/say-step.js";
import { processRequest } from "../daemon/process-request.js";
import { stopGateway } from "../gateway/gateway.js";
import { createRelayContext, type RelayContext } from "../context/relay-context.js";
import { toRelayError } from "../errors.js";
import { awaitResult } from "./await-result.js";
import type { CliIo } from "./command.js";
import type { EndedResult } from "./ended-result.js";
import { readFinishedResult } from "./finished-result.js";

/** The log events a client that follows the request's progress says itself, from the event log. */
const FOLLOWED_EVENTS: ReadonlySet<string> = new Set([RECONNECT_LOG_EVENT, PROGRESS_LOG_EVENT]);

/** `followed`: the caller follows the request's progress, so stderr leaves its steps to it. */
export async function inlineContext(workspace: string, io: CliIo, followed = false): Promise<RelayContext> {
  return createRelayContext({
    workspace,
    env: io.env,
    logger: (redactor, layout) => createLogger({ human: io.stderr, file: layout.logFile, redactor, ...(followed ? { humanSkips: FOLLOWED_EVENTS } : {}) }),
  });
}

/**
 * Under `[approval] level = "manual"` this process runs nothing a person has not approved, as the
 * daemon would not: the message to print instead, or null when the request may run.
 */
export function heldForApproval(ctx: RelayContext, id: string): string | null {
  if (ctx.config.approval.level !== "manual" || existsSync(ctx.layout.approve(id))) return null;
  return `codex-relay: ${id} awaits approval ([approval] level = "manual"): \`codex-relay approve ${id}\`, then \`codex-relay start\` or \`codex-relay run\` it\n`;
}

export async function runInline(ctx: RelayContext, id: string): Promise<EndedResult | undefined> {
  const done = await readFinishedResult(ctx.layout, id);
  if (done) return done;
  const claim = await tryClaim(ctx.layout, id, 1, ctx.now());
  if (!claim) return awaitResult(ctx.layout, id); // a daemon has it: its RESULT will come
  const abort = new AbortController();
  const onSignal = () => abort.abort("cancelled");
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const onSpawn = trackCodexPhase(ctx.layout, claim, ctx.now, (error) => {
      const { code, message } = toRelayError(error);
      ctx.logger.log("warn", "claim error", { id, code, message });
    });
    const outcome = await processRequest(ctx, { id, detectedAt: ctx.now(), signal: abort.signal, onSpawn });
    return outcome.kind === "result" ? outcome.result : undefined;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await stopGateway(ctx);
    await releaseClaim(ctx.layout, claim);
  }
}
