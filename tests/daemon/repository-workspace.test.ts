// This repository is laid out as a workspace: its own progress/, out/ and .autonomous_runs/ hold
// the worked examples. They must read as PROTOCOL.md says, and a daemon started on them (its root
// codex-relay.toml included) must leave them alone.
import { existsSync } from "node:fs";
import { cp, readdir, readFile, utimes } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { Daemon } from "../../src/daemon/daemon.js";
import { layoutFor, requestIdOf, requestName } from "../../src/protocol/layout.js";
import { parseRouteDecision } from "../../src/protocol/route-decision.js";
import { parseTaskPacket } from "../../src/protocol/task-packet.js";
import { readResult } from "../../src/report/result-file.js";
import { makeTestWorkspace, relayContext, type TestWorkspace } from "../helpers/relay-workspace.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const repo = layoutFor(REPO);

let ws: TestWorkspace | undefined;
let daemon: Daemon | undefined;
afterEach(async () => {
  await daemon?.stop({ graceMs: 0 });
  daemon = undefined;
  await ws?.cleanup();
  ws = undefined;
});

describe("the repository's worked examples", () => {
  it("are one consistent pass: each request has its RESULT pair, the ledger names the reports and the approved files", async () => {
    const ids = (await readdir(repo.inbox)).map(requestIdOf).filter((id) => id !== undefined);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      // A RESULT .json is the commit point: with it, no daemon runs the example request again.
      expect(await readResult(repo, id)).toMatchObject({ id, request: requestName(id), status: "completed" });
      expect(existsSync(repo.result(id, "md"))).toBe(true);
    }
    const packet = parseTaskPacket(await readFile(repo.taskPacket, "utf8"));
    expect(packet.problems).toEqual([]);
    const route = parseRouteDecision(await readFile(repo.routeDecision, "utf8"));
    expect(route).toMatchObject({ permission: "codex-rw", problems: [] });
    const lines = (await readFile(repo.ledger, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Record<string, any>);
    expect(lines).toHaveLength(1);
    for (const line of lines) {
      expect(existsSync(path.join(REPO, line.input)), line.input).toBe(true);
      expect(existsSync(path.join(REPO, line.output)), line.output).toBe(true);
      expect(line.files_modified).toEqual(route.approvedFiles);
      expect(line.verification_passed).toBe(true);
    }
  });

  it("leave a daemon started on them idle; without the root config's [patch] switches it would diagnose and patch", async () => {
    const rootToml = await readFile(repo.configFile, "utf8");
    const asHere = await startOnCopy(rootToml);
    expect(asHere.published).toEqual([]);
    const inbox = await readdir(ws!.layout.inbox);
    await daemon!.sweep(); // the sweep rescans the inbox: the example request has its RESULT
    await daemon!.idle();
    expect(await readdir(ws!.layout.inbox)).toEqual(inbox);
    expect(ws!.server.requests).toHaveLength(0);
    await daemon?.stop({ graceMs: 0 });
    daemon = undefined;
    await ws?.cleanup();
    ws = undefined;

    // The control: the same files with the automatic triggers on (the defaults).
    const withDefaults = await startOnCopy("");
    expect(withDefaults.published.sort()).toEqual(["diagnose", "patch"]);
  });
});

/** A temp git workspace holding copies of the repository's protocol folders; starts a daemon on it. */
async function startOnCopy(extraToml: string): Promise<{ published: string[] }> {
  ws = await makeTestWorkspace({ toml: extraToml });
  for (const dir of ["progress", "out", ".autonomous_runs/codex_delegations"]) {
    await cp(path.join(REPO, dir), path.join(ws.dir, dir), { recursive: true });
  }
  // Task files newer than the reports, as a fresh clone may leave them: the first start's "a
  // newer report exists" rule is not what keeps the daemon idle here.
  const hourAgo = new Date(Date.now() - 3_600_000);
  for (const name of await readdir(ws.layout.out)) await utimes(path.join(ws.layout.out, name), hourAgo, hourAgo);
  const before = new Set(await readdir(ws.layout.inbox));
  daemon = new Daemon(await relayContext(ws));
  await daemon.start();
  const published: string[] = [];
  for (const name of await readdir(ws.layout.inbox)) {
    if (before.has(name) || requestIdOf(name) === undefined) continue;
    published.push(/^kind: (\w+)/m.exec(await readFile(path.join(ws.layout.inbox, name), "utf8"))?.[1] ?? "?");
  }
  return { published };
}
