// `codex-relay start`: the daemon in the foreground. SIGINT/SIGTERM stop it gracefully; a second
// signal stops it at once (running requests are released and re-run at the next start).
import { Daemon } from "../../daemon/daemon.js";
import { createLogger } from "../../context/logger.js";
import { createRelayContext } from "../../context/relay-context.js";
import type { RelayContext } from "../../context/relay-context.js";
import type { CommandInput } from "../command.js";
import { existingWorkspace } from "../workspace.js";

export async function run({ flags, io }: CommandInput<"start">): Promise<number> {
  const ctx = await createRelayContext({
    workspace: existingWorkspace(flags, io.cwd),
    env: io.env,
    cacheConfig: true,
    logger: (redactor, layout) => createLogger({ human: flags.quiet ? undefined : io.stdout, file: layout.logFile, redactor }),
  });
  const daemon = new Daemon(ctx, { fromStart: flags["from-start"] === true });
  daemon.on("error", () => undefined); // already logged by the daemon; keep running
  // A stray rejection must not take the daemon (and every queued request) down with it.
  process.on("unhandledRejection", (reason) => {
    ctx.logger.log("error", "unexpected error", { message: reason instanceof Error ? reason.stack ?? reason.message : String(reason) });
  });
  await daemon.start();
  io.stdout.write(`codex-relay: watching ${ctx.layout.inbox} (Ctrl-C to stop; log: ${ctx.layout.logFile})\n`);
  const ui = flags.ui ? await startUi(ctx, flags.port) : undefined;
  if (ui) io.stdout.write(`codex-relay: dashboard at ${ui.url}\n`);
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals === 1) {
        ctx.logger.log("info", "signal", { message: `${signal}: finishing running requests (again to stop now)` });
        void daemon.stop().then(resolve);
      } else {
        ctx.logger.log("warn", "signal", { message: `${signal}: stopping now` });
        void daemon.stop({ graceMs: 0 }).then(resolve);
      }
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  await ui?.close();
  await ctx.logger.close();
  return 0;
}

// Loaded only when asked for: a daemon without --ui keeps its memory (bench: idle RSS).
async function startUi(ctx: RelayContext, port: number | undefined) {
  const [{ startUiServer }, { observeSettings }] = await Promise.all([import("../../ui/ui-server.js"), import("../../observe/observe-settings.js")]);
  return startUiServer({ layout: ctx.layout, port, settings: observeSettings(ctx.config), now: ctx.now });
}
