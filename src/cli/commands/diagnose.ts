// `codex-relay diagnose ["<issue>"]`: a read-only diagnosis of progress/TASK_PACKET.md (or of the
// issue given) into out/codex-diagnosis-*.md.
import type { CommandInput } from "../command.js";
import { publishKind } from "../kind-request.js";

export function run(input: CommandInput): Promise<number> {
  const issue = input.positionals[0]?.trim() || "Diagnose the task in progress/TASK_PACKET.md.";
  return publishKind(input, "diagnose", issue, input.flags.wait === true);
}
