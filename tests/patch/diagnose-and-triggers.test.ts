// Diagnosis, the daemon's progress/ triggers, and a daemon killed in the middle of a patch.
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Daemon } from "../../src/daemon/daemon.js";
import { jsonMessage, type RecordedRequest, type Reply } from "../fixtures/model-server.js";
import { DIAGNOSIS_REPLY, FIXED, ROUTE_DECISION, TASK_PACKET, editFile, patchReply } from "../fixtures/patch-project.js";
import { git } from "../helpers/gitdir.js";
import { makePatchWorkspace, outFiles, runKind } from "../helpers/patch-workspace.js";
import { logEvents, relayContext, startDaemonProcess, until, type DaemonProcess, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
let daemon: Daemon | undefined;
let child: DaemonProcess | undefined;
afterEach(async () => {
  await daemon?.stop({ graceMs: 0 });
  daemon = undefined;
  await child?.kill();
  child = undefined;
  await ws?.cleanup();
});

async function results(): Promise<Record<string, any>[]> {
  const names = (await readdir(ws.layout.inbox)).filter((n) => /^CODEX_DELEGATION_RESULT_.*\.json$/.test(n)).sort();
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(path.join(ws.layout.inbox, n), "utf8"))));
}

/** A model that diagnoses read-only prompts and fixes the bug in patch prompts. */
function scriptedModel(): (request: RecordedRequest) => Reply {
  return (request) => {
    if (request.text.includes("running READ-ONLY")) return jsonMessage(DIAGNOSIS_REPLY);
    const patched = request.body?.input?.some((item: any) => item?.type === "custom_tool_call_output");
    return patched ? patchReply() : editFile("src/math.js", "  return a - b;", "  return a + b;");
  };
}

describe("diagnose", () => {
  it("writes out/codex-diagnosis-<time>.md read-only, with a fix recommendation and a ready route decision", async () => {
    ws = await makePatchWorkspace({ prerequisites: false });
    await mkdir(path.join(ws.dir, "progress"), { recursive: true });
    await writeFile(path.join(ws.dir, "progress/TASK_PACKET.md"), TASK_PACKET);
    ws.server.enqueue(jsonMessage(DIAGNOSIS_REPLY));
    const { result } = await runKind(ws, "diagnose", "Diagnose the task");
    expect(result.status).toBe("completed");
    expect(result.analysis.root_cause).toBe(DIAGNOSIS_REPLY.root_cause);
    expect(result.codex.sandbox).toBe("read-only");
    expect(ws.server.requests[0]!.text).toContain("add(2, 3) returns -1 instead of 5.");
    expect(ws.server.requests[0]!.text).toContain("node test.js");
    const [file] = await outFiles(ws, /^codex-diagnosis-\d{8}-\d{6}\.md$/);
    const text = await readFile(path.join(ws.dir, "out", file!), "utf8");
    expect(text).toContain("## Recommended Fix");
    expect(text).toContain("Return a + b in src/math.js.");
    expect(text).toContain("permission: codex-rw");
    expect(text).toContain("src/math.js");
    expect(result.summary).toContain(`out/${file}`);
  });
});

describe("the daemon's progress/ triggers", () => {
  it("diagnoses a new task packet, patches once the route decision grants codex-rw, and repeats neither after a restart", async () => {
    ws = await makePatchWorkspace({ prerequisites: false });
    ws.server.setDefault(scriptedModel());
    let ctx = await relayContext(ws);
    daemon = new Daemon(ctx);
    await daemon.start();
    await writeFile(path.join(ws.dir, "progress/TASK_PACKET.md"), TASK_PACKET);
    await until(async () => (await results()).some((r) => r.kind === "diagnose"), "the diagnosis RESULT", 60_000);
    expect((await results())[0]).toMatchObject({ kind: "diagnose", status: "completed" });
    expect(await outFiles(ws, /^codex-diagnosis-/)).toHaveLength(1);

    await writeFile(path.join(ws.dir, "progress/ROUTE_DECISION.md"), ROUTE_DECISION);
    await until(async () => (await results()).some((r) => r.kind === "patch"), "the patch RESULT", 60_000);
    const patch = (await results()).find((r) => r.kind === "patch")!;
    expect(patch.status).toBe("completed");
    expect(git(ws.dir, "show", `codex/patch-${patch.id}:src/math.js`)).toBe(FIXED);

    await daemon.stop();
    const requestsBefore = ws.server.requests.length;
    ctx = await relayContext(ws);
    daemon = new Daemon(ctx);
    await daemon.start();
    await daemon.sweep();
    await daemon.idle();
    expect(await results()).toHaveLength(2);
    expect(ws.server.requests.length).toBe(requestsBefore);
  });

  it("on its first start, takes files as handled when a newer report exists, and runs those without one", async () => {
    ws = await makePatchWorkspace({ prerequisites: false });
    ws.server.setDefault(scriptedModel());
    await mkdir(path.join(ws.dir, "progress"), { recursive: true });
    await mkdir(path.join(ws.dir, "out"), { recursive: true });
    await writeFile(path.join(ws.dir, "progress/TASK_PACKET.md"), TASK_PACKET);
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(path.join(ws.dir, "out/codex-diagnosis-20250101-000000.md"), "# Diagnosis\n\n## Recommended Fix\nUse +.\n");
    // The route decision is newer than every patch report (there is none): it still runs.
    await writeFile(path.join(ws.dir, "progress/ROUTE_DECISION.md"), ROUTE_DECISION);
    daemon = new Daemon(await relayContext(ws));
    await daemon.start();
    await until(async () => (await results()).some((r) => r.kind === "patch"), "the patch RESULT", 60_000);
    await daemon.idle();
    expect((await results()).map((r) => r.kind)).toEqual(["patch"]);
    expect(await outFiles(ws, /^codex-diagnosis-/)).toHaveLength(1);
  });
});

describe("a daemon killed mid-patch", () => {
  it("leaves no orphan worktree and no half commit; the restarted daemon completes the patch once", async () => {
    ws = await makePatchWorkspace({ toml: "[patch]\nauto_patch = false\nauto_diagnose = false\n" });
    // The first Codex run hangs in its edit; the daemon is killed while it does.
    ws.server.enqueue({ ...editFile("src/math.js", "  return a - b;", "  return a + b;"), delayMs: 60_000 });
    ws.server.setDefault(scriptedModel());
    child = await startDaemonProcess(ws);
    const run = await ws.cli(["patch"]);
    const id = run.stdout.trim();
    await until(() => logEvents(ws.layout).some((e) => e.event === "codex started" && e.id === id), "codex to start", 60_000);
    await ws.server.waitForRequests(1, 60_000); // Codex is inside its (hanging) first turn
    await child.kill();
    child = await startDaemonProcess(ws);
    await until(() => existsSync(ws.layout.result(id, "json")), "the RESULT after restart", 90_000);
    const result = JSON.parse(readFileSync(ws.layout.result(id, "json"), "utf8"));
    expect(result.status).toBe("completed");
    const base = git(ws.dir, "rev-parse", "HEAD").trim();
    expect(git(ws.dir, "rev-list", "--count", `${base}..codex/patch-${id}`).trim()).toBe("1");
    expect(await outFiles(ws, /^codex-patch-/)).toHaveLength(1);
    const ledger = readFileSync(path.join(ws.dir, "progress/ledger.jsonl"), "utf8").trim().split("\n");
    expect(ledger).toHaveLength(1);
    const slots = git(ws.dir, "worktree", "list", "--porcelain").trim().split("\n\n").slice(1);
    for (const slot of slots) {
      expect(slot).toMatch(/^detached$/m);
      const dir = /^worktree (.*)$/m.exec(slot)![1]!;
      expect(existsSync(dir)).toBe(true);
      expect(git(dir, "status", "--porcelain")).toBe("");
    }
  });
});
