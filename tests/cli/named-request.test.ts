// A mistyped or stale request id through the built CLI: `cancel`, `approve`, `wait` and `show` of an
// id nobody asked for exit 2 naming the nearest ids and write nothing; `cancel` and `approve` of a
// finished request say so and write no marker; and a marker dropped by hand for a request that does
// not exist never becomes a RESULT under a real daemon.
import { existsSync } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { jsonMessage } from "../fixtures/model-server.js";
import { analysisReply, cleanUpAfterEach, logEvents, makeTestWorkspace, startDaemonProcess, until, type TestWorkspace } from "../helpers/relay-workspace.js";

const held = cleanUpAfterEach();

const inbox = async (w: TestWorkspace) => (await readdir(w.layout.inbox)).sort();

describe("an id that names no request", () => {
  it("cancel, approve, wait and show exit 2 with the nearest ids, and write nothing", async () => {
    const w = (held.ws = await makeTestWorkspace());
    const a = (await w.cli(["delegate", "--issue", "first"])).stdout.trim();
    const b = (await w.cli(["delegate", "--issue", "second"])).stdout.trim();
    const before = await inbox(w);
    const missing = `${a.slice(0, 14)}${a[14] === "9" ? "8" : "9"}${a.slice(15)}`; // one digit off the first id
    for (const command of ["cancel", "approve", "wait", "show"]) {
      const run = await w.cli([command, missing], { timeoutMs: 20_000 });
      expect(run.timedOut, command).toBe(false);
      expect(run.exitCode, command).toBe(2);
      expect(run.stdout, command).toBe("");
      expect(run.stderr, command).toContain(`codex-relay ${command}: no request ${missing} in ${w.layout.inbox}`);
      expect(run.stderr, command).toMatch(new RegExp(`hint: nearest: (${a}|${b}), (${a}|${b})`));
    }
    expect(await inbox(w)).toEqual(before);
    expect(await readdir(w.layout.claims).catch(() => [])).toEqual([]);

    // a partial id is not one, and the ids it begins are offered
    const partial = await w.cli(["show", a.slice(0, 13)]);
    expect(partial.exitCode).toBe(2);
    expect(partial.stderr).toContain(`\`${a.slice(0, 13)}\` is not a request id`);
    expect(partial.stderr).toContain(`nearest: `);
    expect(partial.stderr).toContain(a);
  });

  it("in an empty inbox, says there are no requests at all", async () => {
    const w = (held.ws = await makeTestWorkspace());
    const run = await w.cli(["wait", "20990101_000000"], { timeoutMs: 20_000 });
    expect(run.timedOut).toBe(false);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("no request 20990101_000000");
    expect(run.stderr).toContain("holds no requests yet");
    expect(await inbox(w)).toEqual([]);
  });
});

describe("a request that has finished", () => {
  it("cancel and approve say it finished, with its status, exit 1 and leave no marker; status lists it once", async () => {
    const w = (held.ws = await makeTestWorkspace());
    w.server.enqueue(jsonMessage(analysisReply()));
    const id = JSON.parse((await w.cli(["delegate", "--wait", "--json", "--issue", "done already"])).stdout).id as string;
    for (const command of ["cancel", "approve"]) {
      const run = await w.cli([command, id]);
      expect(run.exitCode, command).toBe(1);
      expect(run.stdout, command).toBe("");
      expect(run.stderr, command).toContain(`codex-relay ${command}: ${id} has already finished (completed); nothing to ${command}, nothing written`);
    }
    expect(existsSync(w.layout.cancel(id))).toBe(false);
    expect(existsSync(w.layout.approve(id))).toBe(false);
    expect((await w.cli(["status"])).stdout.trim().split("\n").slice(1)).toEqual([expect.stringMatching(new RegExp(`^${id}\\s+analysis\\s+completed\\s`))]);
  });
});

describe("a marker dropped by hand for a request that does not exist", () => {
  it("is removed and logged by the daemon, which writes and commits no RESULT for it", async () => {
    const w = (held.ws = await makeTestWorkspace());
    // one left while no daemon ran, one dropped while it runs
    await writeFile(w.layout.cancel("20990101_000001"), "by hand\n");
    const daemon = (held.daemon = await startDaemonProcess(w));
    await writeFile(w.layout.cancel("20990101_000000"), "by hand\n");
    await writeFile(w.layout.approve("20990101_000002"), "by hand\n");
    const dropped = () => logEvents(w.layout).filter((e) => e.event === "marker without a request").map((e) => e.id);
    await until(() => dropped().length >= 3, 'three "marker without a request" lines');
    expect(dropped().sort(), JSON.stringify(logEvents(w.layout))).toEqual(["20990101_000000", "20990101_000001", "20990101_000002"]);
    await until(async () => (await inbox(w)).length === 0, "the markers to be removed");
    // a request that is real still runs: the daemon is not stuck
    w.server.setDefault(jsonMessage(analysisReply()));
    const wait = await w.cli(["delegate", "--wait", "--json", "--issue", "real"]);
    expect(wait.exitCode).toBe(0);
    const id = JSON.parse(wait.stdout).id as string;
    await daemon.stop();
    expect((await inbox(w)).filter((name) => name.includes("RESULT"))).toEqual([`CODEX_DELEGATION_RESULT_${id}.json`, `CODEX_DELEGATION_RESULT_${id}.md`]);
    expect((await w.cli(["status"])).stdout.trim().split("\n").slice(1)).toEqual([expect.stringMatching(new RegExp(`^${id}\\s+analysis\\s+completed\\s`))]);
  });
});
