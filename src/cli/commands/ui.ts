// `codex-relay ui`: the dashboard alone (a daemon may run elsewhere); Ctrl-C stops it.
import { loadConfig } from "../../config/load-config.js";
import { observeSettings } from "../../observe/observe-settings.js";
import { layoutFor } from "../../protocol/layout.js";
import type { CommandInput } from "../command.js";
import { existingWorkspace } from "../workspace.js";

export async function run({ flags, io }: CommandInput<"ui">): Promise<number> {
  const layout = layoutFor(existingWorkspace(flags, io.cwd));
  const config = await loadConfig(layout.configFile);
  const { startUiServer } = await import("../../ui/ui-server.js");
  const ui = await startUiServer({ layout, port: flags.port, settings: observeSettings(config) });
  io.stdout.write(`codex-relay: dashboard at ${ui.url} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await ui.close();
  return 0;
}
