// `codex-relay approve <id> [--by NAME]`: release a request held by `[approval] level = "manual"`;
// the marker names who approved (default: the user running it), for the RESULT, ledger and audit.
import { approveMarkerText } from "../../protocol/approve-marker.js";
import type { CommandInput } from "../command.js";
import { markerCommand } from "../marker-command.js";

export const run = markerCommand("approve", "approved", ({ flags, io }: CommandInput<"approve">) =>
  approveMarkerText(flags.by?.trim() || io.env.USER || io.env.LOGNAME || "unknown user", new Date()),
);
