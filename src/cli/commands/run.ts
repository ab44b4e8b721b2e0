// `codex-relay run <request-file>`: process one request now, in this process. A file outside the
// inbox is first published into it under a new id, so it gets the same RESULT pair and audit.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { layoutFor, requestIdOf } from "../../protocol/layout.js";
import { publishRequest } from "../../protocol/publish-request.js";
import type { CommandInput } from "../command.js";
import { EXIT_TIMEOUT, printEnded } from "../print-result.js";
import { heldForApproval, inlineContext, runInline } from "../run-inline.js";
import { existingWorkspace } from "../workspace.js";

export async function run({ flags, positionals, io }: CommandInput<"run">): Promise<number> {
  const layout = layoutFor(existingWorkspace(flags, io.cwd));
  const file = path.resolve(io.cwd, positionals[0]!);
  const queued = path.dirname(file) === layout.inbox ? requestIdOf(path.basename(file)) : undefined;
  let text = "";
  if (!queued) {
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      io.stderr.write(`codex-relay run: cannot read ${file}: ${(error as Error).message}\n`);
      return 2;
    }
  }
  if (flags["dry-run"]) {
    const { printDryRun } = await import("../dry-run-command.js");
    return printDryRun(io, flags, { text: queued ? await readFile(file, "utf8") : text, id: queued });
  }
  // The context first: publishing redacts with its redactor, the one the daemon uses.
  const ctx = await inlineContext(layout.workspace, io);
  let id = queued;
  if (!id) {
    id = await publishRequest(layout, text, new Date(), ctx.redactor);
    io.stderr.write(`codex-relay: published as ${layout.request(id)}\n`);
  }
  const held = heldForApproval(ctx, id);
  if (held) {
    io.stderr.write(held);
    await ctx.logger.close();
    return 1;
  }
  const result = await runInline(ctx, id);
  await ctx.background.drain();
  await ctx.logger.close();
  if (!result) {
    io.stderr.write(`codex-relay run: ${id} was interrupted before it had a RESULT; run it again\n`);
    return EXIT_TIMEOUT;
  }
  return printEnded(io, layout, result, flags.json === true);
}
