// The daemon in this process, against real files, real git and the real codex binary: detection,
// settling, rejection, watchdog, cancel (idempotency under load: daemon.slow.test.ts).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { open, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Daemon } from "../../src/daemon/daemon.js";
import { jsonMessage } from "../fixtures/model-server.js";
import { dropRequest, resultJson, useInProcessDaemon } from "../helpers/in-process-daemon.js";
import { analysisReply, groupMembers, logEvents, makeTestWorkspace, until, type TestWorkspace, type WorkspaceOptions } from "../helpers/relay-workspace.js";

const session = useInProcessDaemon();
let ws: TestWorkspace;
let daemon: Daemon | undefined;

async function startDaemon(options: WorkspaceOptions = {}): Promise<void> {
  ws = await makeTestWorkspace(options);
  ({ daemon } = await session.start(ws));
}

const drop = (id: string, text: string) => dropRequest(ws.layout, id, text);
const resultOf = (id: string, timeoutMs?: number) => resultJson(ws.layout, id, timeoutMs);

const codexPids = (id: string) => logEvents(ws.layout).filter((e) => e.event === "codex started" && e.id === id).map((e) => e.pid as number);

describe("detection", () => {
  it("answers an atomically published request once, with the request's text sent to the model", async () => {
    await startDaemon();
    ws.server.setDefault(jsonMessage(analysisReply()));
    await drop("20250101_000001", "---\nrequested_by: test\n---\n## Issue\nThe cache never expires.\n");
    const result = await resultOf("20250101_000001");
    expect(result.status).toBe("completed");
    expect(ws.server.requests).toHaveLength(1);
    expect(ws.server.requests[0]!.text).toContain("The cache never expires.");
    const events = logEvents(ws.layout).map((e) => e.event);
    for (const event of ["detected", "claimed", "codex started", "result written"]) expect(events).toContain(event);
    await until(() => !existsSync(ws.layout.claim("20250101_000001")), "the claim to be released");
  });

  it("waits for a request an editor writes in place, and runs it once, complete", async () => {
    await startDaemon();
    ws.server.setDefault(jsonMessage(analysisReply()));
    const handle = await open(ws.layout.request("20250101_000002"), "w");
    await handle.write("---\nkind: analysis\n");
    await handle.sync();
    await new Promise((r) => setTimeout(r, 150)); // the daemon sees a half-written file that does not parse
    await handle.write("requested_by: an editor\n---\n## Issue\nWritten in two parts.\n");
    await handle.close();
    const result = await resultOf("20250101_000002");
    expect(result.status).toBe("completed");
    expect(ws.server.requests).toHaveLength(1);
    expect(ws.server.requests[0]!.text).toContain("Written in two parts.");
  });

  it("restarts a run when the request's text changes under it, and answers the complete text once", async () => {
    await startDaemon();
    // a slow model: the edit lands while the first run is still waiting for its reply
    ws.server.setDefault({ ...jsonMessage(analysisReply()), delayMs: 4000 });
    const id = "20250101_000005";
    await writeFile(ws.layout.request(id), "## Issue\nHalf of the");
    await until(() => codexPids(id).length > 0, "the first run");
    await writeFile(ws.layout.request(id), "## Issue\nHalf of the sentence, and the rest of it.\n");
    const result = await resultOf(id);
    expect(result.status).toBe("completed");
    expect(codexPids(id)).toHaveLength(2);
    const last = ws.server.requests[ws.server.requests.length - 1]!;
    expect(last.text).toContain("Half of the sentence, and the rest of it.");
    expect(logEvents(ws.layout).map((e) => e.event)).toContain("request changed while running; restarting");
    const results = (await readdir(ws.layout.inbox)).filter((n) => n === `CODEX_DELEGATION_RESULT_${id}.json`);
    expect(results).toHaveLength(1);
  });

  it("restarts once for an edit an editor writes in many small pieces while the request runs", async () => {
    await startDaemon();
    ws.server.setDefault({ ...jsonMessage(analysisReply()), delayMs: 2500 });
    const id = "20250101_000009";
    await drop(id, "## Issue\nThe first draft.\n");
    await until(() => codexPids(id).length > 0, "the first run");
    const file = await open(ws.layout.request(id), "a");
    for (let i = 0; i < 30; i += 1) await file.write(`more detail ${i}\n`); // 30 change events
    await file.close();
    expect((await resultOf(id)).status).toBe("completed");
    expect(logEvents(ws.layout).filter((e) => e.event === "request changed while running; restarting")).toHaveLength(1);
    expect(codexPids(id)).toHaveLength(2);
    expect(ws.server.requests[ws.server.requests.length - 1]!.text).toContain("more detail 29");
  });

  it("ignores dot-prefixed temp files and files that are not requests", async () => {
    await startDaemon();
    await writeFile(path.join(ws.layout.inbox, ".CODEX_DELEGATION_REQUEST_20250101_000003.md.tmp"), "## Issue\nnot yet\n");
    await writeFile(path.join(ws.layout.inbox, "notes.md"), "## Issue\nnot a request\n");
    await daemon!.sweep();
    await daemon!.idle();
    expect(ws.server.requests).toHaveLength(0);
    expect(await readdir(ws.layout.inbox)).not.toContain("CODEX_DELEGATION_RESULT_20250101_000003.json");
  });

  it("treats repeated change events of a running request as one request", async () => {
    await startDaemon();
    ws.server.setDefault({ ...jsonMessage(analysisReply()), delayMs: 800 });
    await drop("20250101_000004", "## Issue\nTouched while running.\n");
    await until(() => codexPids("20250101_000004").length > 0, "codex start");
    for (let i = 0; i < 5; i += 1) await writeFile(ws.layout.request("20250101_000004"), "## Issue\nTouched while running.\n");
    await daemon!.sweep();
    await resultOf("20250101_000004");
    await daemon!.sweep();
    await daemon!.idle();
    expect(codexPids("20250101_000004")).toHaveLength(1);
    expect(ws.server.requests).toHaveLength(1);
  });
});

describe("bad input gets a RESULT that says what is wrong", () => {
  it.each([
    ["malformed front matter", "---\nissue: [never closed\n---\n## Issue\nx\n", /not valid YAML/],
    ["an empty file", "", /empty|no issue/i],
    ["binary content", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02, 0x00]), /binary/i],
    ["no issue at all", "## Context\nonly context\n", /no issue/],
  ])("rejects %s after it settles, without calling the model", async (_name, content, reason) => {
    await startDaemon();
    const id = "20250102_000001";
    await writeFile(ws.layout.request(id), content);
    const result = await resultOf(id);
    expect(result.status).toBe("rejected");
    expect(result.error.code).toBe("invalid_request");
    expect(result.error.message).toMatch(reason);
    expect(result.error.hint).toMatch(/## Issue/);
    expect(ws.server.requests).toHaveLength(0);
    expect(existsSync(ws.layout.request(id))).toBe(true); // the Builder's file is kept
  });

  it("rejects a 5 MB request as too large, keeping the file", async () => {
    await startDaemon();
    const id = "20250102_000002";
    await drop(id, `## Issue\nhuge logs\n\n## Error Logs\n${"x".repeat(5 * 1024 * 1024)}\n`);
    const result = await resultOf(id);
    expect(result.status).toBe("rejected");
    expect(result.error.code).toBe("request_too_large");
    expect(result.error.message).toMatch(/over limits\.max_request_bytes/);
    expect(ws.server.requests).toHaveLength(0);
  });

  it("rejects a FIFO under a request's name instead of waiting on it, and answers the next request", async () => {
    await startDaemon();
    ws.server.setDefault(jsonMessage(analysisReply()));
    const fifo = "20250102_000004";
    execFileSync("mkfifo", [ws.layout.request(fifo)]); // nobody will ever write to it
    const result = await resultOf(fifo);
    expect([result.status, result.error.code]).toEqual(["rejected", "invalid_request"]);
    expect(result.error.message).toContain("not a regular file");
    await drop("20250102_000005", "## Issue\nStill answered.\n");
    expect((await resultOf("20250102_000005")).status).toBe("completed");
  });

  it("rejects a patch request whose prerequisites are missing, naming them, without running Codex", async () => {
    await startDaemon();
    await drop("20250102_000003", "---\nkind: patch\n---\n## Issue\nPatch it\n");
    const result = await resultOf("20250102_000003");
    expect(result.status).toBe("rejected");
    expect(result.kind).toBe("patch");
    expect(result.error.code).toBe("patch_prerequisites");
    expect(result.error.message).toContain("progress/TASK_PACKET.md");
    expect(ws.server.requests).toHaveLength(0);
  });
});

describe("watchdog and cancel", () => {
  it("ends a run whose model never answers as timed_out and leaves no process behind", async () => {
    await startDaemon({ watchdog: "start_timeout_s = 20\nstall_timeout_s = 1\nwall_timeout_s = 60" });
    ws.server.setDefault({ kind: "hang" });
    await drop("20250103_000001", "## Issue\nThe model hangs.\n");
    const result = await resultOf("20250103_000001");
    expect(result.status).toBe("timed_out");
    expect(result.error.code).toBe("stall_timeout");
    expect(result.error.message).toContain("no event for 1 s");
    const [pid] = codexPids("20250103_000001");
    expect(pid).toBeGreaterThan(0);
    await until(() => groupMembers(pid!).length === 0, "codex process group to be gone", 5000);
  });

  it("enforces the wall-clock cap", async () => {
    await startDaemon({ watchdog: "start_timeout_s = 20\nstall_timeout_s = 30\nwall_timeout_s = 1" });
    ws.server.setDefault({ kind: "hang" });
    await drop("20250103_000002", "## Issue\nSlow.\n");
    const result = await resultOf("20250103_000002");
    expect(result.status).toBe("timed_out");
    expect(result.error.code).toBe("wall_timeout");
  });

  it("cancels a running request by CANCEL file", async () => {
    await startDaemon();
    ws.server.setDefault({ kind: "hang" });
    await drop("20250103_000003", "## Issue\nCancel me.\n");
    await until(() => codexPids("20250103_000003").length > 0, "codex start");
    await ws.server.waitForRequests(1);
    await writeFile(ws.layout.cancel("20250103_000003"), "");
    const result = await resultOf("20250103_000003");
    expect(result.status).toBe("cancelled");
    expect(result.error.code).toBe("cancelled");
    await until(() => groupMembers(codexPids("20250103_000003")[0]!).length === 0, "codex group gone", 5000);
  });

  it("cancels a running request when the request file is deleted", async () => {
    await startDaemon();
    ws.server.setDefault({ kind: "hang" });
    await drop("20250103_000004", "## Issue\nDelete me.\n");
    await until(() => codexPids("20250103_000004").length > 0, "codex start");
    await rm(ws.layout.request("20250103_000004"));
    const result = await resultOf("20250103_000004");
    expect(result.status).toBe("cancelled");
  });

  it("writes a cancelled RESULT for a queued request cancelled before it ran", async () => {
    await startDaemon();
    ws.server.setDefault({ kind: "hang" });
    await drop("20250103_000005", "## Issue\nBlocks the only slot.\n");
    await until(() => codexPids("20250103_000005").length > 0, "first run");
    await drop("20250103_000006", "## Issue\nQueued behind it.\n");
    await writeFile(ws.layout.cancel("20250103_000006"), "");
    await writeFile(ws.layout.cancel("20250103_000005"), "");
    const second = await resultOf("20250103_000006");
    expect(second.status).toBe("cancelled");
    expect(second.error.message).toMatch(/before Codex started/);
    expect(codexPids("20250103_000006")).toHaveLength(0);
  });
});
