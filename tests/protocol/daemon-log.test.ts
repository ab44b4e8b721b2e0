// The daemon's JSON log is an interface (PROTOCOL.md §9): every line a real daemon writes over
// real runs (the real codex binary and the model fixture) matches the documented schema.
import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DAEMON_LOG_VERSION, parseDaemonLogLine, type DaemonLogLine } from "../../src/protocol/daemon-log.js";
import { jsonMessage } from "../fixtures/model-server.js";
import { fixReplies } from "../fixtures/patch-project.js";
import { useDaemonSession } from "../helpers/daemon-session.js";
import { commitDemoProject, writePrerequisites } from "../helpers/patch-workspace.js";
import { analysisReply, until, type TestWorkspace } from "../helpers/relay-workspace.js";

const session = useDaemonSession();

/** Every line of the log, each checked against the schema (a mismatch fails with the event's name). */
function documentedLines(ws: TestWorkspace): DaemonLogLine[] {
  const lines = readFileSync(ws.layout.logFile, "utf8").split("\n").filter(Boolean);
  expect(lines.length).toBeGreaterThan(0);
  return lines.map((line) => parseDaemonLogLine(line));
}

describe("the daemon's JSON log", () => {
  it("documents every event of an analysis, a failed run, a cancellation and a patch", async () => {
    const ws = await session.workspace({ toml: "[patch]\nauto_diagnose = false\n" });
    await commitDemoProject(ws);
    const daemon = await session.startDaemon(ws);

    ws.server.enqueue(jsonMessage(analysisReply()));
    expect((await ws.cli(["delegate", "--wait", "--json", "--issue", "Why?"])).exitCode).toBe(0);

    ws.server.enqueue({ kind: "http_error", status: 400, body: { error: { message: "bad request" } } });
    expect(JSON.parse((await ws.cli(["delegate", "--wait", "--json", "--issue", "Fail."])).stdout).status).toBe("failed");

    ws.server.enqueue({ kind: "hang" });
    const queued = await ws.cli(["delegate", "--json", "--issue", "Cancel me."]);
    const id = JSON.parse(queued.stdout).id as string;
    await ws.server.waitForRequests(3);
    expect((await ws.cli(["cancel", id])).exitCode).toBe(0);
    const cancelled = await ws.cli(["wait", id, "--json"]);
    expect(JSON.parse(cancelled.stdout).status).toBe("cancelled");

    ws.server.enqueue(...fixReplies());
    await writePrerequisites(ws); // the approval: the daemon queues the patch itself
    await until(() => readFileSync(ws.layout.logFile, "utf8").includes('"event":"patch report written"'), "the patch report", 120_000);
    await daemon.stop();

    const lines = documentedLines(ws);
    expect(new Set(lines.map((l) => l.v))).toEqual(new Set([DAEMON_LOG_VERSION]));
    const events = new Set(lines.map((l) => l.event));
    for (const event of ["daemon started", "detected", "claimed", "codex started", "progress", "model call", "codex finished", "result written", "cancelling", "sandbox ready", "patch finished", "patch report written", "signal", "daemon stopped"]) {
      expect(events, event).toContain(event);
    }
    const statuses = lines.filter((l) => l.event === "result written").map((l) => l.status);
    expect(statuses).toEqual(expect.arrayContaining(["completed", "failed", "cancelled"]));
  }, 240_000);

  it("documents the reconnects of a provider that cannot be reached", async () => {
    const ws = await session.workspace({ watchdog: "start_timeout_s = 30\nstall_timeout_s = 300\nwall_timeout_s = 1800", toml: "[gateway]\nenabled = false\n" });
    await ws.server.close(); // the base_url now points at a port nobody listens on
    const file = path.join(ws.dir, "codex-relay.toml");
    await writeFile(file, (await readFile(file, "utf8")).replace("[codex]\n", "[codex]\nunreachable_s = 2\n"));
    const daemon = await session.startDaemon(ws);
    const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"], { timeoutMs: 50_000 });
    expect(JSON.parse(run.stdout).error.code).toBe("codex_unreachable");
    await daemon.stop();

    const reconnects = documentedLines(ws).filter((l) => l.event === "provider unreachable, reconnecting");
    expect(reconnects.length).toBeGreaterThan(0);
    expect(reconnects[0]).toMatchObject({ level: "warn", attempt: 1, provider: "mock", base_url: ws.server.url });
  }, 120_000);
});
