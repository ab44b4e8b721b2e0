// `codex-relay patch`: run the verified patch of PROTOCOL.md §5 now (the daemon also starts one
// when progress/ROUTE_DECISION.md grants codex-rw; a run already queued or running for the same
// approval is joined, not started twice).
import { publishApprovedPatch } from "../../protocol/approval-request.js";
import type { CommandInput } from "../command.js";
import { publishKind } from "../kind-request.js";

export function run(input: CommandInput): Promise<number> {
  return publishKind(input, "patch", "Apply the diagnosed fix for progress/TASK_PACKET.md.", input.flags.wait === true, publishApprovedPatch);
}
