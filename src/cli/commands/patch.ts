// `codex-relay patch`: run the verified patch of PROTOCOL.md §5 now (the daemon also starts one
// when progress/ROUTE_DECISION.md grants codex-rw; a run already queued or running for the same
// approval is joined, not started twice).
import { publishApprovedPatch } from "../../protocol/approval-request.js";
import type { CommandInput } from "../command.js";
import { given, publishAndMaybeWait } from "../publish-and-wait.js";

export async function run({ flags, io }: CommandInput<"patch">): Promise<number> {
  const issue = "Apply the diagnosed fix for progress/TASK_PACKET.md.";
  const fields = { kind: "patch", issue, model: given(flags.model), requestedBy: "codex-relay patch" } as const;
  if (flags["dry-run"]) return (await import("../dry-run-command.js")).printDryRun(io, flags, { fields });
  return publishAndMaybeWait(io, flags, fields, flags.wait === true, publishApprovedPatch);
}
