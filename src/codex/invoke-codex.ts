// One `codex exec` for a request: build the argv from the prepared setup, run it, and stream its
// redacted events into the request's LOG file. askCodex (ask-codex.ts) is what the kinds call.
import type { RelayContext } from "../context/relay-context.js";
import { logStep } from "../context/say-step.js";
import { relayEventLine } from "../protocol/event-log.js";
import type { CodexSetup } from "./codex-setup.js";
import { isReconnect } from "./events.js";
import { ProgressTracker } from "./progress-step.js";
import { RECONNECT_LOG_EVENT } from "./reconnect.js";
import { relayExecArgs, type RelayTurn } from "./relay-exec-args.js";
import { LineAppender } from "../util/line-appender.js";

/** The `type` of the event-log line the relay writes for each model call through the gateway. */
export const MODEL_CALL_LOG_EVENT = "relay.model_call";
import { runCodex, type OnCodexSpawn, type RunCodexResult } from "./run-codex.js";

export interface InvokeOptions extends RelayTurn {
  readonly id: string;
  readonly signal?: AbortSignal;
  readonly onSpawn?: OnCodexSpawn;
}

export async function invokeCodex(ctx: RelayContext, setup: CodexSetup, options: InvokeOptions): Promise<RunCodexResult> {
  const { id } = options;
  const args = relayExecArgs(ctx.config, setup.model, setup.gateway?.config ?? {}, options);
  // Appended line by line as events come (see LineAppender), and opened only once Codex runs: a new
  // file is not created on the way from the request's detection to Codex's spawn.
  const eventLog = new LineAppender(ctx.layout.log(id));
  const progress = new ProgressTracker(options.cwd);
  // Where Codex works (a patch's sandbox worktree): a follower shows its file paths relative to it.
  const started = relayEventLine({ type: "relay.codex_started", cwd: options.cwd }, ctx.now());
  const route = setup.gateway?.route;
  if (route) {
    route.onRecord = (totals) => {
      const usage = { type: "relay.usage", ...totals } as const;
      progress.see(usage);
      eventLog.write(relayEventLine(usage, ctx.now()));
    };
  }
  let reconnects = 0;
  // Each model call through the gateway is a line of the event log too: its number, tokens and
  // what was redacted from it, by kind (never the values). A call that lands after the log closed is dropped.
  const gatewayEnds = route?.beginTurn((call) => {
    eventLog.write(`${JSON.stringify({ type: MODEL_CALL_LOG_EVENT, ...call })}\n`);
  });
  const signal = gatewayEnds ? (options.signal ? AbortSignal.any([options.signal, gatewayEnds]) : gatewayEnds) : options.signal;
  try {
    const run = await runCodex({
      bin: setup.bin,
      args,
      cwd: options.cwd,
      env: setup.env,
      limits: { ...ctx.config.watchdog, unreachable_s: ctx.config.codex.unreachable_s },
      provider: setup.provider,
      signal,
      onSpawn: (pid) => {
        const onExit = options.onSpawn?.(pid);
        ctx.logger.log("info", "codex started", { id, pid, version: setup.version, model: setup.model, sandbox: options.sandbox });
        eventLog.write(started);
        return onExit;
      },
      onEvent: (event) => {
        const safe = ctx.redactor.redactDeep(event.type === "unknown" ? event.raw : event);
        eventLog.write(`${JSON.stringify(safe)}\n`);
        const stepped = progress.see(safe);
        if (isReconnect(event)) {
          reconnects += 1;
          ctx.logger.log("warn", RECONNECT_LOG_EVENT, { id, attempt: reconnects, provider: setup.provider.name, base_url: setup.provider.baseUrl, message: ctx.redactor.redact(event.message) });
        } else if (stepped) {
          // The console's line per step (`start`); a waiting client reads the same steps from the log.
          logStep(ctx.logger, id, progress.step, progress.tokens);
        }
      },
    });
    ctx.logger.log("info", "codex finished", { id, outcome: run.outcome.kind, exit: run.exitCode, ms: Date.now() - run.startedAt.getTime() });
    if (run.state.unknownEvents > 0) ctx.logger.log("warn", "unknown events", { id, count: run.state.unknownEvents });
    // The gateway ended the turn (a cap, an upstream that will not answer): its error is the outcome.
    const fatal = setup.gateway?.route.fatal;
    const endedByGateway = run.outcome.kind === "failed" || (run.outcome.kind === "cancelled" && !options.signal?.aborted);
    if (fatal && endedByGateway) return { ...run, outcome: { kind: "failed", error: fatal } };
    const serverError = setup.gateway?.route.lastServerError;
    if (serverError && run.outcome.kind === "failed" && run.outcome.error.code === "codex_http_error") {
      return { ...run, outcome: { kind: "failed", error: serverError } };
    }
    return run;
  } finally {
    if (route) route.onRecord = undefined;
    if (!eventLog.opened) eventLog.write(started); // Codex never started: the log still says where it was to work
    eventLog.close();
  }
}
