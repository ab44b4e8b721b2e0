// The daemon as a user runs it — `codex-relay start` as a child process — across the events of its
// life: a second daemon, SIGKILL mid-run, graceful SIGTERM, requests dropped before and during a
// run, and requests whose earlier daemons kept crashing. The real codex binary talks to the
// scripted model server.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { jsonMessage } from "../fixtures/model-server.js";
import {
  analysisReply,
  groupMembers,
  killCodexGroups,
  logEvents,
  makeTestWorkspace,
  startDaemonProcess,
  until,
  type DaemonProcess,
  type TestWorkspace,
} from "../helpers/relay-workspace.js";

let ws: TestWorkspace | undefined;
const daemons: DaemonProcess[] = [];

afterEach(async () => {
  for (const daemon of daemons.splice(0)) await daemon.kill();
  if (ws) {
    killCodexGroups(ws.layout); // Codex orphaned by a SIGKILLed daemon, if any
    await ws.cleanup();
    ws = undefined;
  }
});

async function workspace(options: Parameters<typeof makeTestWorkspace>[0] = {}): Promise<TestWorkspace> {
  ws = await makeTestWorkspace(options);
  return ws;
}

async function startDaemon(w: TestWorkspace): Promise<DaemonProcess> {
  const daemon = await startDaemonProcess(w);
  daemons.push(daemon);
  return daemon;
}

/** Replace a key the helper already sets in the [daemon] table (TOML forbids repeating it). */
async function setDaemonKey(w: TestWorkspace, key: string, value: string): Promise<void> {
  const text = await readFile(w.layout.configFile, "utf8");
  const line = new RegExp(`^${key} = .*$`, "m");
  expect(text).toMatch(line);
  await writeFile(w.layout.configFile, text.replace(line, `${key} = ${value}`));
}

/** A hand-written request, published the way PROTOCOL.md §3.1 tells other writers to. */
async function dropRequest(w: TestWorkspace, id: string, issue: string): Promise<void> {
  const tmp = path.join(w.layout.inbox, `.CODEX_DELEGATION_REQUEST_${id}.md.tmp`);
  await writeFile(tmp, `## Issue\n${issue}\n`);
  await rename(tmp, w.layout.request(id));
}

async function readResultJson(w: TestWorkspace, id: string): Promise<any> {
  return JSON.parse(await readFile(w.layout.result(id, "json"), "utf8"));
}

async function resultFiles(w: TestWorkspace): Promise<string[]> {
  return (await readdir(w.layout.inbox)).filter((name) => /^CODEX_DELEGATION_RESULT_.*\.json$/.test(name));
}

const eventsFor = (w: TestWorkspace, event: string, id?: string) =>
  logEvents(w.layout).filter((e) => e.event === event && (id === undefined || e.id === id));

/** The pid of the Codex run for `id`, once the daemon has logged "codex started" for it. */
async function codexStarted(w: TestWorkspace, id: string, nth = 1): Promise<number> {
  await until(() => eventsFor(w, "codex started", id).length >= nth, `"codex started" for ${id}`);
  return eventsFor(w, "codex started", id)[nth - 1]!.pid as number;
}

/** A pid that belonged to a process on this host and no longer does. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "0"]);
  expect(child.status).toBe(0);
  return child.pid;
}

describe("codex-relay start (the daemon as a child process)", () => {
  it("refuses a second daemon on the same workspace, naming the first one's pid, and the first keeps working", async () => {
    const w = await workspace();
    const first = await startDaemon(w);

    const second = await w.cli(["start"], { timeoutMs: 20_000 });
    expect(second.timedOut).toBe(false);
    expect(second.exitCode).not.toBe(0);
    expect(second.stderr).toContain(`another codex-relay daemon (pid ${first.pid} `);
    expect(JSON.parse(await readFile(w.layout.lockFile, "utf8")).pid).toBe(first.pid);

    w.server.enqueue(jsonMessage(analysisReply()));
    await dropRequest(w, "20250101_000001", "the first daemon still serves requests");
    await until(() => existsSync(w.layout.result("20250101_000001", "json")), "the RESULT from the first daemon");
    expect((await readResultJson(w, "20250101_000001")).status).toBe("completed");
    expect(w.server.requests[0]!.text).toContain("the first daemon still serves requests");
  });

  it("of two daemons started at the same moment, exactly one runs", async () => {
    const w = await workspace();
    const both = await Promise.allSettled([startDaemonProcess(w), startDaemonProcess(w)]);
    for (const outcome of both) if (outcome.status === "fulfilled") daemons.push(outcome.value);
    expect(both.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refused = both.find((o): o is PromiseRejectedResult => o.status === "rejected")!;
    expect(String(refused.reason)).toContain(`another codex-relay daemon (pid ${daemons[0]!.pid} `);
  });

  it("after a SIGKILL mid-run, the next daemon recovers the stale claim and writes exactly one RESULT", async () => {
    const w = await workspace();
    const id = "20250101_000002";
    w.server.setDefault({ kind: "hang" });
    const first = await startDaemon(w);
    await dropRequest(w, id, "killed while Codex was thinking");
    const codexPid = await codexStarted(w, id);
    await w.server.waitForRequests(1); // Codex is mid-turn, waiting for the model
    expect(existsSync(w.layout.claim(id))).toBe(true);

    await first.stop("SIGKILL"); // the daemon alone, not its group: like the OOM killer would
    // Codex runs in a group of its own and may outlive its daemon as an orphan (see the next test),
    // though its model connection went down with the daemon's gateway and it may already have
    // exited; what is left is killed here so that only the new daemon's run can answer.
    expect(killCodexGroups(w.layout).filter((pid) => pid !== codexPid)).toEqual([]);
    expect(existsSync(w.layout.claim(id))).toBe(true);
    expect(existsSync(w.layout.result(id, "json"))).toBe(false);
    expect((await w.cli(["status"])).stdout).toMatch(new RegExp(`^${id}\\s+\\w+\\s+orphaned\\s`, "m"));

    w.server.setDefault(jsonMessage(analysisReply()));
    const second = await startDaemon(w); // takes over the lock the dead daemon left behind
    expect(JSON.parse(await readFile(w.layout.lockFile, "utf8")).pid).toBe(second.pid);
    await until(() => existsSync(w.layout.result(id, "json")), "the RESULT after the restart");
    const result = await readResultJson(w, id);
    expect(result.status).toBe("completed");
    expect(result.analysis.root_cause).toContain("rate limiter");
    expect(eventsFor(w, "stale claim recovered", id)).toHaveLength(1);
    expect(eventsFor(w, "stale claim recovered", id)[0]!.pid).toBe(first.pid);
    await until(() => !existsSync(w.layout.claim(id)), "the claim to be released");
    expect(await resultFiles(w)).toEqual([`CODEX_DELEGATION_RESULT_${id}.json`]);
    expect(eventsFor(w, "result written", id)).toHaveLength(1);
    expect(eventsFor(w, "codex started", id)).toHaveLength(2);
  });

  // BUG (fails today): the dead daemon's Codex keeps its turn going (model traffic, sandboxed
  // commands) while the new daemon runs the same request again; it only dies when it next writes
  // to its broken stdout. The daemon that recovers the claim should end it.
  it("after a SIGKILL mid-run, no Codex of the dead daemon's run outlives the recovery", async () => {
    const w = await workspace();
    const id = "20250101_000008";
    w.server.setDefault({ kind: "hang" });
    const first = await startDaemon(w);
    await dropRequest(w, id, "killed while Codex was thinking");
    const codexPid = await codexStarted(w, id);
    await w.server.waitForRequests(1);
    await first.stop("SIGKILL");

    w.server.setDefault(jsonMessage(analysisReply()));
    await startDaemon(w);
    await until(() => existsSync(w.layout.result(id, "json")), "the RESULT after the restart");
    expect((await readResultJson(w, id)).status).toBe("completed");
    await until(() => groupMembers(codexPid).length === 0, `the orphaned Codex group ${codexPid} to be gone`, 5_000);
  });

  it("on SIGTERM stops a hanging run after shutdown_grace_s, writes no RESULT, and the next start runs it", async () => {
    const w = await workspace();
    await setDaemonKey(w, "shutdown_grace_s", "1");
    const id = "20250101_000003";
    w.server.setDefault({ kind: "hang" });
    const first = await startDaemon(w);
    await dropRequest(w, id, "interrupted by a graceful shutdown");
    const codexPid = await codexStarted(w, id);
    await w.server.waitForRequests(1);

    const exit = await first.stop("SIGTERM", 20_000);
    expect(exit.exitCode).toBe(0);
    expect(existsSync(w.layout.result(id, "json"))).toBe(false);
    expect(existsSync(w.layout.result(id, "md"))).toBe(false);
    expect(existsSync(w.layout.claim(id))).toBe(false);
    expect(existsSync(w.layout.lockFile)).toBe(false);
    expect(groupMembers(codexPid)).toEqual([]);
    expect(eventsFor(w, "released for re-run", id)).toHaveLength(1);
    expect(eventsFor(w, "daemon stopped")).toHaveLength(1);

    w.server.setDefault(jsonMessage(analysisReply()));
    await startDaemon(w);
    await until(() => existsSync(w.layout.result(id, "json")), "the RESULT after the restart");
    expect((await readResultJson(w, id)).status).toBe("completed");
    expect(await resultFiles(w)).toEqual([`CODEX_DELEGATION_RESULT_${id}.json`]);
    expect(eventsFor(w, "result written", id)).toHaveLength(1);
  });

  it("picks up a request dropped while no daemon ran (initial scan) and one dropped while it runs (watcher)", async () => {
    const w = await workspace();
    // No sweep during the test: only the start-up scan and the watcher can find requests.
    await setDaemonKey(w, "sweep_cron", '"0 0 0 1 1 *"');
    w.server.setDefault(jsonMessage(analysisReply()));
    const before = "20250101_000004";
    const during = "20250101_000005";
    await dropRequest(w, before, "dropped before the daemon started");
    await startDaemon(w);
    await until(() => existsSync(w.layout.result(before, "json")), "the RESULT of the request dropped before start");
    expect(eventsFor(w, "found", before)).toHaveLength(1);

    await dropRequest(w, during, "dropped while the daemon runs");
    await until(() => existsSync(w.layout.result(during, "json")), "the RESULT of the request dropped while running");
    expect(eventsFor(w, "detected", during)).toHaveLength(1);
    expect((await readResultJson(w, before)).status).toBe("completed");
    expect((await readResultJson(w, during)).status).toBe("completed");
    expect(w.server.requests.map((r) => r.text.includes("dropped while the daemon runs"))).toEqual([false, true]);
  });

  it("answers requests dropped after someone removed .autonomous_runs while it ran, before and after its first request", async () => {
    const w = await workspace(); // the helper's sweep runs every second
    w.server.setDefault(jsonMessage(analysisReply()));
    await startDaemon(w);
    const removeAndAsk = async (id: string, issue: string) => {
      // The daemon may still be writing under it (the event log, the gateway's usage): retry as rm -rf would.
      await rm(path.dirname(w.layout.inbox), { recursive: true, maxRetries: 10, retryDelay: 20 });
      await until(() => existsSync(w.layout.inbox) && existsSync(w.layout.claims), "the sweep making the folders again");
      await dropRequest(w, id, issue);
      await until(() => existsSync(w.layout.result(id, "json")), `the RESULT of ${id} in the new inbox`);
      expect((await readResultJson(w, id)).status).toBe("completed");
    };
    await removeAndAsk("20250101_000008", "dropped into the new inbox");
    // The first request wrote Codex's output schema under .relay; the second needs it written again.
    await removeAndAsk("20250101_000010", "the second request needs the schema again");
  });

  it("writes a daemon_crashed RESULT without calling the model for a request its daemons died on max_attempts times", async () => {
    const w = await workspace();
    const pid = deadPid();
    const now = new Date().toISOString();
    await mkdir(w.layout.claims, { recursive: true });
    const claim = (id: string, attempt: number) =>
      writeFile(w.layout.claim(id), JSON.stringify({ id, pid, host: os.hostname(), started_at: now, heartbeat_at: now, attempt }));
    const crashed = "20250101_000006";
    const retried = "20250101_000007";
    await dropRequest(w, crashed, "this one killed three daemons");
    await dropRequest(w, retried, "this one killed two daemons");
    await claim(crashed, 3); // max_attempts is 3 by default
    await claim(retried, 2);
    w.server.setDefault(jsonMessage(analysisReply()));

    await startDaemon(w);
    await until(
      () => existsSync(w.layout.result(crashed, "json")) && existsSync(w.layout.result(retried, "json")),
      "both RESULTs",
    );
    const failed = await readResultJson(w, crashed);
    expect(failed.status).toBe("failed");
    expect(failed.error.code).toBe("daemon_crashed");
    expect(failed.error.message).toContain("3 times");
    expect(await readFile(w.layout.result(crashed, "md"), "utf8")).toContain("daemon_crashed");
    // the third attempt still runs
    expect((await readResultJson(w, retried)).status).toBe("completed");
    expect(w.server.requests.length).toBeGreaterThan(0);
    expect(w.server.requests.some((r) => r.text.includes("this one killed three daemons"))).toBe(false);
    expect(eventsFor(w, "stale claim recovered").map((e) => e.id).sort()).toEqual([crashed, retried]);
    await until(() => !existsSync(w.layout.claim(crashed)) && !existsSync(w.layout.claim(retried)), "both claims released");
  });
});
