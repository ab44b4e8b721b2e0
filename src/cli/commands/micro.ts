// `codex-relay micro "<change>"`: a bounded micro edit (≤ 25 lines, ≤ 2 files by default) on
// branch codex/micro-<id>, checked by the project's quality gates. Waits for it unless --detach.
import type { CommandInput } from "../command.js";
import { fileList, given, publishAndMaybeWait } from "../publish-and-wait.js";

export async function run({ flags, positionals, io }: CommandInput<"micro">): Promise<number> {
  const change = positionals[0]?.trim() ?? "";
  if (!change) {
    io.stderr.write('codex-relay micro: describe the change, e.g. codex-relay micro "add a null check to validateEmail"\n');
    return 2;
  }
  const fields = { kind: "micro", issue: change, files: fileList(flags.files), model: given(flags.model), requestedBy: "codex-relay micro" } as const;
  if (flags["dry-run"]) return (await import("../dry-run-command.js")).printDryRun(io, flags, { fields });
  return publishAndMaybeWait(io, flags, fields, flags.detach !== true);
}
