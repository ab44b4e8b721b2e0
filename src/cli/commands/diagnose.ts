// `codex-relay diagnose ["<issue>"]`: a read-only diagnosis of progress/TASK_PACKET.md (or of the
// issue given) into out/codex-diagnosis-*.md.
import type { CommandInput } from "../command.js";
import { given, publishAndMaybeWait } from "../publish-and-wait.js";

export async function run({ flags, positionals, io }: CommandInput<"diagnose">): Promise<number> {
  const issue = positionals[0]?.trim() || "Diagnose the task in progress/TASK_PACKET.md.";
  const fields = { kind: "diagnose", issue, model: given(flags.model), requestedBy: "codex-relay diagnose" } as const;
  if (flags["dry-run"]) return (await import("../dry-run-command.js")).printDryRun(io, flags, { fields });
  return publishAndMaybeWait(io, flags, fields, flags.wait === true);
}
