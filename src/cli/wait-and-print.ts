// Wait for a RESULT and print it, the shared tail of `wait` and of publishing with --wait. With
// processIfNoDaemon, a request nobody is serving is processed here rather than waited on forever.
// While it waits, what the request is doing shows on stderr (follow-progress.ts, progress-line.ts).
import { stat } from "node:fs/promises";
import type { RelayContext } from "../context/relay-context.js";
import type { Layout } from "../protocol/layout.js";
import { awaitResult } from "./await-result.js";
import type { CliIo } from "./command.js";
import { readEndedResult, type EndedResult } from "./ended-result.js";
import { followProgress } from "./follow-progress.js";
import { ProgressLine } from "./progress-line.js";
import { EXIT_TIMEOUT, printEnded } from "./print-result.js";

export async function awaitAndPrint(
  io: CliIo,
  layout: Layout,
  id: string,
  options: { json: boolean; timeoutS?: number | undefined; processIfNoDaemon: boolean },
): Promise<number> {
  const finished = await readEndedResult(layout, id);
  if (finished) return printEnded(io, layout, finished, options.json); // nothing to wait for, nothing to follow
  const timeoutMs = options.timeoutS === undefined ? undefined : options.timeoutS * 1000;
  // The inline runner pulls in the whole daemon graph (config, Codex, git, templates: ~250 ms of
  // module loading), so it is loaded only when this process is the one that runs the request.
  const inline = options.processIfNoDaemon && !(await daemonServes(layout)) ? await import("./run-inline.js") : undefined;
  // The elapsed time counts from when the request was written (`wait` may join it late).
  const written = (await stat(layout.request(id)).catch(() => undefined))?.mtimeMs;
  const line = new ProgressLine(io.stderr, { id, since: Math.min(Date.now(), written ?? Date.now()) });
  const follower = followProgress(layout, id, (view, stepped) => line.show(view, stepped));
  let ctx: RelayContext | undefined;
  let result: EndedResult | undefined;
  try {
    // Its console lines go to stderr too, through the status line; the steps and reconnects are
    // said once, by the follower, either way.
    ctx = inline && (await inline.inlineContext(layout.workspace, { ...io, stderr: line.stream() }, true));
    // Held for approval (level = "manual"): wait for the daemon, which runs it once approved.
    const held = inline && ctx ? inline.heldForApproval(ctx, id) : null;
    if (held) line.stream().write(held);
    result = inline && ctx && !held ? await inline.runInline(ctx, id) : await awaitResult(layout, id, timeoutMs);
  } finally {
    await follower.stop();
    line.close(); // before anything else is printed, an error included
  }
  if (!result) {
    io.stderr.write(`codex-relay: no RESULT for ${id} yet (timed out waiting); \`codex-relay status\` shows its state\n`);
    return EXIT_TIMEOUT;
  }
  const code = await printEnded(io, layout, result, options.json);
  await ctx?.background.drain(); // the audit commit of a request processed here
  await ctx?.logger.close();
  return code;
}

async function daemonServes(layout: Layout): Promise<boolean> {
  const { daemonRunning } = await import("../daemon/workspace-lock.js");
  return daemonRunning(layout);
}
