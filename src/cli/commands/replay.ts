// `codex-relay replay <id>`: run a recorded request again with the gateway answering Codex's model
// calls from its recording: no network, no tokens, a new request (and RESULT) beside the old one
// carrying `replay_of: <id>`. Everything is checked before anything is written.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { RelayError } from "../../errors.js";
import { readRecording } from "../../gateway/replay-source.js";
import { layoutFor, requestName } from "../../protocol/layout.js";
import { parseRequest } from "../../protocol/parse-request.js";
import { publishRequest } from "../../protocol/publish-request.js";
import { replayRequestText } from "../../protocol/replay-request.js";
import type { CommandInput } from "../command.js";
import { namedRequest } from "../named-request.js";
import { EXIT_TIMEOUT, printEnded } from "../print-result.js";
import { inlineContext, runInline } from "../run-inline.js";
import { existingWorkspace } from "../workspace.js";

// Patches and micro edits change a sandbox worktree and commit: not something to re-run from a recording.
const REPLAYABLE = new Set(["analysis", "diagnose"]);

export async function run({ flags, positionals, io }: CommandInput<"replay">): Promise<number> {
  const layout = layoutFor(existingWorkspace(flags, io.cwd));
  const { id } = await namedRequest(layout, positionals[0]);
  // Retention may have moved the request to the archive (and removed its recording with it).
  const archived = path.join(path.dirname(layout.archivedResult(id, "json")), requestName(id));
  const text = await readFile(layout.request(id), "utf8").catch(() => readFile(archived, "utf8")).catch(() => {
    throw new RelayError("no_recording", `request ${id}'s file is gone from ${layout.inbox} and the archive; a replay runs the request file as it is now`);
  });
  const parsed = parseRequest(text);
  if (!parsed.ok) throw new RelayError("invalid_request", `request ${id} no longer parses, so it cannot be replayed: ${parsed.reason}`);
  const { request } = parsed;
  if (request.replayOf) throw new RelayError("no_recording", `request ${id} is itself a replay of ${request.replayOf}, and replays are not recorded: replay ${request.replayOf}`);
  if (!REPLAYABLE.has(request.kind)) throw new RelayError("no_recording", `request ${id} is a ${request.kind} request; only analysis and diagnose requests are replayed`);
  await readRecording(layout.recording(id), id); // no recording: say so before a request is written

  const ctx = await inlineContext(layout.workspace, io);
  const replayId = await publishRequest(layout, replayRequestText(text, id), new Date(), ctx.redactor);
  io.stderr.write(`codex-relay: replaying ${id} as ${replayId} (${layout.request(replayId)})\n`);
  const result = await runInline(ctx, replayId);
  await ctx.background.drain();
  await ctx.logger.close();
  if (!result) {
    io.stderr.write(`codex-relay replay: ${replayId} was interrupted before it had a RESULT; run it again with \`codex-relay run\`\n`);
    return EXIT_TIMEOUT;
  }
  return printEnded(io, layout, result, flags.json === true);
}
