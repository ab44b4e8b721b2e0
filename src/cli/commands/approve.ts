// `codex-relay approve <id>`: release a request held by `approval.required`.
import { markerCommand } from "../marker-command.js";

export const run = markerCommand("approve", "approved");
