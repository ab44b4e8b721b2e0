// `daemon.max_attempts` counts only the daemon deaths a request can have caused: one killed from
// outside while it waited on Codex does not count; one that died in the request's own in-daemon
// work does, so a poison pill still ends in one RESULT.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import { describe, expect, it } from "vitest";
import { useDaemonSession } from "../helpers/daemon-session.js";
import { jsonMessage } from "../fixtures/model-server.js";
import { logged, publishByHand, resultJson } from "../helpers/inbox.js";
import { analysisReply, until } from "../helpers/relay-workspace.js";

const { workspace, startDaemon } = useDaemonSession();

describe("attempts counted against a request", () => {
  it("does not fail a request whose daemon was SIGKILLed three times while its Codex ran", async () => {
    const w = await workspace(); // max_attempts = 3 by default
    const id = "20250601_000001";
    w.server.setDefault({ kind: "hang" });
    await publishByHand(w, id, "running whenever the daemon gets killed");
    for (let kill = 1; kill <= 3; kill += 1) {
      const daemon = await startDaemon(w);
      await until(() => logged(w, "codex started", id).length >= kill, `Codex run ${kill}`);
      await w.server.waitForRequests(kill); // Codex is mid-turn: the daemon only waits on it
      await daemon.stop("SIGKILL"); // from outside, like an OOM killer: not the request's doing
    }
    w.server.setDefault(jsonMessage(analysisReply()));
    await startDaemon(w);
    await until(() => existsSync(w.layout.result(id, "json")), "the RESULT");
    expect((await resultJson(w, id)).status).toBe("completed");
    expect(logged(w, "stale claim recovered", id).map((e) => [e.attempt, e.phase])).toEqual([
      [1, "codex"],
      [1, "codex"],
      [1, "codex"],
    ]);
  });

  it("ends a request whose daemons died in its own work max_attempts times in daemon_crashed, and runs one killed while waiting on Codex", async () => {
    const w = await workspace();
    const pid = spawnSync(process.execPath, ["-e", "0"]).pid; // a daemon that is gone
    const now = new Date().toISOString();
    await mkdir(w.layout.claims, { recursive: true });
    const claim = (id: string, attempt: number, phase: string) =>
      writeFile(w.layout.claim(id), JSON.stringify({ id, pid, host: os.hostname(), started_at: now, heartbeat_at: now, attempt, phase }));
    const poison = "20250601_000002";
    const unlucky = "20250601_000003";
    await publishByHand(w, poison, "this one killed three daemons in its own processing");
    await publishByHand(w, unlucky, "this one was waiting on Codex at the third kill");
    await claim(poison, 3, "request");
    await claim(unlucky, 3, "codex");
    w.server.setDefault(jsonMessage(analysisReply()));

    await startDaemon(w);
    await until(() => existsSync(w.layout.result(poison, "json")) && existsSync(w.layout.result(unlucky, "json")), "both RESULTs");
    const crashed = await resultJson(w, poison);
    expect([crashed.status, crashed.error.code]).toEqual(["failed", "daemon_crashed"]);
    expect(crashed.error.message).toContain("3 times");
    expect((await resultJson(w, unlucky)).status).toBe("completed");
    expect(w.server.requests.some((r) => r.text.includes("killed three daemons"))).toBe(false);
  });
});
