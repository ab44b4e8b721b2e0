// A finished request missing from the audit branch (its daemon died between the RESULT and the
// audit commit that follows it) is committed by the next daemon, once.
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { useDaemonSession } from "../helpers/daemon-session.js";
import { jsonMessage } from "../fixtures/model-server.js";
import { auditCommitIds, logged, publishByHand } from "../helpers/inbox.js";
import { analysisReply, until } from "../helpers/relay-workspace.js";

const { workspace, startDaemon } = useDaemonSession();

describe("audit catch-up", () => {
  it("commits a finished request the audit branch lacks at the next start, once, beside the requests that follow", async () => {
    // A daemon with the audit off leaves a RESULT without its commit, as one killed right after
    // its RESULT does, but at a moment of the test's choosing.
    const w = await workspace({ toml: "[audit]\nenabled = false" });
    w.server.setDefault(jsonMessage(analysisReply()));
    const finished = "20250401_000001";
    const later = "20250401_000002";
    const first = await startDaemon(w);
    await publishByHand(w, finished, "answered, never audited");
    await until(() => existsSync(w.layout.result(finished, "json")), "the first RESULT");
    expect((await first.stop("SIGTERM")).exitCode).toBe(0);
    expect(auditCommitIds(w)).toEqual([]);

    const config = await readFile(w.layout.configFile, "utf8");
    await writeFile(w.layout.configFile, config.replace("[audit]\nenabled = false", "[audit]\nenabled = true"));
    const second = await startDaemon(w);
    await until(() => auditCommitIds(w).includes(finished), "the catch-up commit");
    // A request answered now is committed as usual while the sweeps (every second here) keep
    // looking; neither request gets a second commit.
    await publishByHand(w, later, "answered and audited as usual");
    await until(() => auditCommitIds(w).includes(later), "the usual audit commit");
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // a few more sweeps, with nothing left to commit
    expect((await second.stop("SIGTERM")).exitCode).toBe(0); // drains any commit still in flight
    expect(auditCommitIds(w).sort()).toEqual([finished, later]);
    expect(logged(w, "audit catch-up").map((e) => e.id)).toEqual([finished]);
  });
});
