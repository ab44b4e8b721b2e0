// The daemon in this process on a test workspace, and requests dropped into its inbox the way the
// protocol asks. Kept apart from relay-workspace.ts so the CLI tests do not load the daemon.
import { existsSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach } from "vitest";
import type { RelayContext } from "../../src/context/relay-context.js";
import { Daemon } from "../../src/daemon/daemon.js";
import type { Layout } from "../../src/protocol/layout.js";
import { makeTestWorkspace, relayContext, until, type TestWorkspace, type WorkspaceOptions } from "./relay-workspace.js";

/** Call at the top of a test file: `start(ws)` starts a Daemon on `ws` (and gives its context); both are stopped and cleaned after each test. */
export function useInProcessDaemon(): { start(ws: TestWorkspace): Promise<{ daemon: Daemon; ctx: RelayContext }> } {
  let held: { ws: TestWorkspace; daemon?: Daemon } | undefined;
  afterEach(async () => {
    await held?.daemon?.stop({ graceMs: 0 });
    await held?.ws.cleanup();
    held = undefined;
  });
  return {
    async start(ws) {
      held = { ws };
      const ctx = await relayContext(ws);
      const daemon = (held.daemon = new Daemon(ctx));
      await daemon.start();
      return { daemon, ctx };
    },
  };
}

/** The RESULT json of `id` once the daemon has written it. */
export async function resultJson(layout: Layout, id: string, timeoutMs = 30_000): Promise<Record<string, any>> {
  await until(() => existsSync(layout.result(id, "json")), `RESULT of ${id}`, timeoutMs);
  return JSON.parse(await readFile(layout.result(id, "json"), "utf8"));
}

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
