// The daemon in this process under load: 200 requests dropped at once, each answered exactly once.
// Minutes on a busy machine, so it runs in vitest's "slow" project (`npm test` runs both).
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { describe, expect, it, onTestFinished } from "vitest";
import { jsonMessage } from "../fixtures/model-server.js";
import { dropRequest, startInProcessDaemon } from "../helpers/in-process-daemon.js";
import { analysisReply, logEvents, until } from "../helpers/relay-workspace.js";

describe("under load", () => {
  it("gives each of 200 requests dropped at once exactly one RESULT", async () => {
    const { ws, daemon } = await startInProcessDaemon({ daemon: "concurrency = 4" });
    onTestFinished(async () => {
      await daemon.stop({ graceMs: 0 });
      await ws.cleanup();
    });
    ws.server.setDefault(jsonMessage(analysisReply()));
    const ids = Array.from({ length: 200 }, (_, i) => `20250104_000000_${i + 1}`);
    await Promise.all(ids.map((id) => dropRequest(ws.layout, id, `## Issue\nLoad ${id}\n`)));
    await until(() => ids.every((id) => existsSync(ws.layout.result(id, "json"))), "200 RESULTs", 240_000);
    await daemon.sweep();
    await daemon.idle();
    const names = await readdir(ws.layout.inbox);
    expect(names.filter((n) => n.startsWith("CODEX_DELEGATION_RESULT_") && n.endsWith(".json"))).toHaveLength(200);
    const started = logEvents(ws.layout).filter((e) => e.event === "codex started").map((e) => e.id);
    expect(new Set(started).size).toBe(200);
    expect(started).toHaveLength(200); // no request ran twice
    expect(ws.server.requests).toHaveLength(200);
    const statuses = await Promise.all(ids.map(async (id) => JSON.parse(await readFile(ws.layout.result(id, "json"), "utf8")).status));
    expect(new Set(statuses)).toEqual(new Set(["completed"]));
  }, 300_000);
});
