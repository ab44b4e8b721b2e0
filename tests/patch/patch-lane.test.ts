// A patch runs in a lane of its own: analyses do not queue behind it (with the default
// `concurrency = 1`), and two patches never run at once. The daemon in this process, the real
// codex, a model server that answers each run by what it is asked.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { Daemon } from "../../src/daemon/daemon.js";
import { publishRequest } from "../../src/protocol/publish-request.js";
import { createRedactor } from "../../src/security/redact.js";
import { renderRequest } from "../../src/protocol/render-request.js";
import type { RequestKind } from "../../src/protocol/request-text.js";
import type { RecordedRequest, Reply } from "../fixtures/model-server.js";
import { jsonMessage } from "../fixtures/model-server.js";
import { editFile, patchReply } from "../fixtures/patch-project.js";
import { makePatchWorkspace } from "../helpers/patch-workspace.js";
import { analysisReply, logEvents, relayContext, until, type TestWorkspace } from "../helpers/relay-workspace.js";

async function ask(w: TestWorkspace, kind: RequestKind, issue: string): Promise<string> {
  const now = new Date();
  return publishRequest(w.layout, renderRequest({ kind, issue, requestedBy: "test", createdAt: now }), now, createRedactor({ env: {}, envNames: [] }));
}

describe("the patch lane", () => {
  it("answers an analysis while a patch is still running, and runs a second patch only after the first", async () => {
    const w = await makePatchWorkspace();
    const daemon = new Daemon(await relayContext(w));
    try {
      await lanes(w, daemon);
    } finally {
      await daemon.stop({ graceMs: 0 });
      await w.cleanup();
    }
  });
});

async function lanes(w: TestWorkspace, daemon: Daemon): Promise<void> {
  // A patch run edits, then replies; the first patch's edit is slow, as a patch with a long
  // verification is. The analysis is told apart by its issue.
  let edits = 0;
  w.server.setDefault((request: RecordedRequest): Reply => {
    if (request.text.includes("the logo is blurry")) return jsonMessage(analysisReply());
    if (request.body?.input?.some((item: any) => item?.type === "custom_tool_call_output")) return patchReply();
    edits += 1;
    return { ...editFile("src/math.js", "  return a - b;", "  return a + b;"), delayMs: edits === 1 ? 10_000 : 0 };
  });
  await daemon.start();

  const patch = await ask(w, "patch", "add() subtracts");
  await until(() => logEvents(w.layout).some((e) => e.event === "codex started" && e.id === patch), "the patch's Codex run");
  const second = await ask(w, "patch", "add() subtracts, asked again");
  const analysis = await ask(w, "analysis", "the logo is blurry");

  await until(() => existsSync(w.layout.result(analysis, "json")), "the analysis RESULT");
  expect(existsSync(w.layout.result(patch, "json"))).toBe(false); // the patch is still in its slow edit
  expect(JSON.parse(await readFile(w.layout.result(analysis, "json"), "utf8")).status).toBe("completed");

  await until(() => existsSync(w.layout.result(second, "json")), "the second patch's RESULT", 60_000);
  const started = (id: string) => Date.parse(logEvents(w.layout).find((e) => e.event === "claimed" && e.id === id)!.at as string);
  const finished = (id: string) => Date.parse(logEvents(w.layout).find((e) => e.event === "result written" && e.id === id)!.at as string);
  expect(started(second)).toBeGreaterThanOrEqual(finished(patch)); // one patch at a time
  await daemon.idle();
}
