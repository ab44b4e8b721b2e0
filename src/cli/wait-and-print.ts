// Wait for a RESULT and print it, the shared tail of `wait`, `delegate --wait` and `run`.
// With processIfNoDaemon, a request nobody is serving is processed here rather than waited on forever.
import type { Layout } from "../protocol/layout.js";
import { awaitResult } from "./await-result.js";
import type { CliIo } from "./command.js";
import { EXIT_TIMEOUT, printResult } from "./print-result.js";
import { daemonRunning } from "../daemon/workspace-lock.js";
import { inlineContext, runInline } from "./run-inline.js";

export async function awaitAndPrint(
  io: CliIo,
  layout: Layout,
  id: string,
  options: { json: boolean; timeoutS?: number; processIfNoDaemon: boolean },
): Promise<number> {
  const timeoutMs = options.timeoutS === undefined ? undefined : options.timeoutS * 1000;
  const ctx = options.processIfNoDaemon && !(await daemonRunning(layout)) ? await inlineContext(layout.workspace, io) : undefined;
  const result = ctx ? await runInline(ctx, id) : await awaitResult(layout, id, timeoutMs);
  if (!result) {
    io.stderr.write(`codex-relay: no RESULT for ${id} yet (timed out waiting); \`codex-relay status\` shows its state\n`);
    return EXIT_TIMEOUT;
  }
  const code = await printResult(io, layout, result, options.json);
  await ctx?.background.drain(); // the audit commit of a request processed here
  await ctx?.logger.close();
  return code;
}
