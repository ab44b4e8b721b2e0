// `codex-relay delegate`: the seed's delegate script as a command. Writes the request atomically;
// with --wait, returns its RESULT (processing it here when no daemon is running).
import type { CommandInput } from "../command.js";
import { fileList, given, publishAndMaybeWait } from "../publish-and-wait.js";

export async function run({ flags, io }: CommandInput<"delegate">): Promise<number> {
  const issue = flags.issue?.trim() ?? "";
  if (!issue) {
    io.stderr.write('codex-relay delegate: --issue "<what is wrong>" is required\n');
    return 2;
  }
  const fields = {
    issue,
    context: given(flags.context),
    errorLogs: given(flags.logs),
    attemptedFixes: flags["attempted-fixes"],
    questions: flags.questions,
    files: fileList(given(flags.files)),
    model: given(flags.model),
    requestedBy: given(flags["requested-by"]) ?? "codex-relay delegate",
  };
  if (flags["dry-run"]) return (await import("../dry-run-command.js")).printDryRun(io, flags, { fields });
  return publishAndMaybeWait(io, flags, fields, flags.wait === true);
}
