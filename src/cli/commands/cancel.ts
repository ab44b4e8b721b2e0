// `codex-relay cancel <id>`: the daemon stops the run and writes a `cancelled` RESULT.
import { markerCommand } from "../marker-command.js";

export const run = markerCommand("cancel", "cancel requested for", () => `cancel requested for at ${new Date().toISOString()}\n`);
