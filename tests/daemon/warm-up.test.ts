// What the daemon prepares in the background once it is idle after start: the request path (so
// the first request does not load it), and, where the patch workflow is in use, a warm sandbox
// (so the first patch does not check one out cold). Asserted through the log and the RESULTs.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Daemon } from "../../src/daemon/daemon.js";
import { publishRequest } from "../../src/protocol/publish-request.js";
import { renderRequest } from "../../src/protocol/render-request.js";
import { createRedactor } from "../../src/security/redact.js";
import { jsonMessage } from "../fixtures/model-server.js";
import { fixReplies } from "../fixtures/patch-project.js";
import { makePatchWorkspace } from "../helpers/patch-workspace.js";
import { analysisReply, logEvents, makeTestWorkspace, relayContext, until, type TestWorkspace } from "../helpers/relay-workspace.js";

async function ask(w: TestWorkspace, kind: "analysis" | "patch", issue: string): Promise<string> {
  const now = new Date();
  return publishRequest(w.layout, renderRequest({ kind, issue, requestedBy: "test", createdAt: now }), now, createRedactor({ env: {}, envNames: [] }));
}

const logged = (w: TestWorkspace, event: string, id?: string) => logEvents(w.layout).find((e) => e.event === event && (id === undefined || e.id === id));

describe("warming up after start", () => {
  it("gives the first patch after start a warm sandbox", async () => {
    // Patches asked for by request only: no trigger from progress/ runs one before the pool warms.
    const w = await makePatchWorkspace({ toml: "[patch]\nauto_diagnose = false\nauto_patch = false\n" });
    const daemon = new Daemon(await relayContext(w));
    try {
      await daemon.start();
      await until(() => logged(w, "sandbox pool warmed") !== undefined, "the pool warmed in the background", 60_000);
      expect(logged(w, "sandbox pool warmed")).toMatchObject({ slot: 0, cold: true });

      w.server.enqueue(...fixReplies());
      const id = await ask(w, "patch", "add() subtracts");
      await until(() => existsSync(w.layout.result(id, "json")), "the patch RESULT", 60_000);
      expect(JSON.parse(await readFile(w.layout.result(id, "json"), "utf8")).status).toBe("completed");
      expect(logged(w, "sandbox ready", id)).toMatchObject({ slot: 0, cold: false });
      await daemon.idle();
    } finally {
      await daemon.stop({ graceMs: 0 });
      await w.cleanup();
    }
  });

  it("loads the request path of an analysis-only daemon, and leaves the sandbox pool alone", async () => {
    const w = await makeTestWorkspace();
    const daemon = new Daemon(await relayContext(w));
    try {
      await daemon.start();
      await until(() => logged(w, "request path warmed") !== undefined, "the request path warmed");
      w.server.setDefault(jsonMessage(analysisReply()));
      const id = await ask(w, "analysis", "the logo is blurry");
      await until(() => existsSync(w.layout.result(id, "json")), "the analysis RESULT");
      expect(JSON.parse(await readFile(w.layout.result(id, "json"), "utf8")).status).toBe("completed");
      await daemon.idle();
      // No progress/TASK_PACKET.md, so no patch can run here: no worktree was made for one.
      expect(logged(w, "sandbox pool warmed")).toBeUndefined();
      expect(existsSync(path.join(w.env.HOME!, ".local/state/codex-relay"))).toBe(false);
    } finally {
      await daemon.stop({ graceMs: 0 });
      await w.cleanup();
    }
  });
});
