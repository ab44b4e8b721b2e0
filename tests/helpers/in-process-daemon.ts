// The daemon in this process on a test workspace, and requests dropped into its inbox the way the
// protocol asks. Kept apart from relay-workspace.ts so the CLI tests do not load the daemon.
import { rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { Daemon } from "../../src/daemon/daemon.js";
import type { Layout } from "../../src/protocol/layout.js";
import { makeTestWorkspace, relayContext, type TestWorkspace, type WorkspaceOptions } from "./relay-workspace.js";

/** A new workspace and a started Daemon on it; stop the daemon and clean the workspace after the test. */
export async function startInProcessDaemon(options: WorkspaceOptions = {}): Promise<{ ws: TestWorkspace; daemon: Daemon }> {
  const ws = await makeTestWorkspace(options);
  const daemon = new Daemon(await relayContext(ws));
  await daemon.start();
  return { ws, daemon };
}

/** Publish a request the way the protocol asks: temp file outside the inbox, then rename. */
export async function dropRequest(layout: Layout, id: string, text: string): Promise<void> {
  const tmp = path.join(layout.tmp, `${id}.md`);
  await writeFile(tmp, text);
  await rename(tmp, layout.request(id));
}
