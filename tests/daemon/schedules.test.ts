// `[[schedule]]` entries on an injected clock (no waiting on real time): a tick drops a request the
// daemon serves through the real codex and the model fixture, once; ticks missed while no daemon
// ran run once at start; daylight-saving changes in a named zone fire at the right instants.
import { existsSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { Scheduler } from "../../src/daemon/scheduler.js";
import { timedJobs } from "../../src/daemon/timed-jobs.js";
import { parseRequest } from "../../src/protocol/parse-request.js";
import { jsonMessage } from "../fixtures/model-server.js";
import { manualClock, useClockedDaemons } from "../helpers/clocked-daemon.js";
import { dateTimeFormatsDuring } from "../helpers/date-time-formats.js";
import { analysisReply, relayContext, until, type TestWorkspace } from "../helpers/relay-workspace.js";

const NIGHTLY = `
[[schedule]]
name = "nightly"
cron = "0 0 9 * * *"
time_zone = "Europe/Berlin"
issue = "Review what changed in the nightly build."
files = ["README.md"]
`;

const session = useClockedDaemons();

/** The requests in the inbox: id and who asked. */
async function requests(w: TestWorkspace): Promise<{ id: string; requestedBy: string | undefined; issue: string }[]> {
  const names = (await readdir(w.layout.inbox)).filter((name) => /^CODEX_DELEGATION_REQUEST_.+\.md$/.test(name)).sort();
  return Promise.all(
    names.map(async (name) => {
      const parsed = parseRequest(await readFile(`${w.layout.inbox}/${name}`, "utf8"));
      if (!parsed.ok) throw new Error(`${name}: ${parsed.reason}`);
      return { id: name.slice("CODEX_DELEGATION_REQUEST_".length, -3), requestedBy: parsed.request.requestedBy, issue: parsed.request.issue };
    }),
  );
}

async function resultOf(w: TestWorkspace, id: string): Promise<Record<string, any>> {
  await until(() => existsSync(w.layout.result(id, "json")), `RESULT of ${id}`);
  return JSON.parse(await readFile(w.layout.result(id, "json"), "utf8"));
}

describe("schedules", () => {
  it("drops the request when its cron fires, and the daemon serves it through codex once", async () => {
    const ws = await session.workspace({ toml: NIGHTLY });
    ws.server.setDefault(jsonMessage(analysisReply()));
    const clock = manualClock("2026-03-28T07:59:00Z"); // 08:59 in Berlin
    const daemon = await session.start(ws, clock.now);
    await daemon.checkSchedules();
    expect(await requests(ws)).toEqual([]);

    clock.set("2026-03-28T08:00:02Z"); // 09:00:02 CET
    await daemon.checkSchedules();
    const dropped = await requests(ws);
    expect(dropped).toEqual([{ id: "20260328_080002", requestedBy: "schedule nightly", issue: "Review what changed in the nightly build." }]);
    const result = await resultOf(ws, "20260328_080002");
    expect(result.status).toBe("completed");
    expect(ws.server.requests).toHaveLength(1);
    expect(ws.server.requests[0]!.text).toContain("Review what changed in the nightly build.");

    clock.set("2026-03-28T08:30:00Z"); // later the same day: nothing more is due
    await daemon.checkSchedules();
    await daemon.idle();
    expect((await requests(ws)).map((r) => r.id)).toEqual(["20260328_080002"]);
    expect(ws.server.requests).toHaveLength(1);
  });

  it("runs ticks missed while no daemon ran once at start, not once per missed tick", async () => {
    const ws = await session.workspace({ toml: NIGHTLY });
    ws.server.setDefault(jsonMessage(analysisReply()));
    const clock = manualClock("2026-04-01T12:00:00Z");
    const first = await session.start(ws, clock.now);
    await first.stop({ graceMs: 0 });
    expect(await requests(ws)).toEqual([]); // first seen: counts from now, fires nothing

    clock.set("2026-04-06T12:00:00Z"); // five 09:00 ticks passed with no daemon
    const second = await session.start(ws, clock.now);
    const dropped = await requests(ws);
    expect(dropped).toEqual([{ id: "20260406_120000", requestedBy: "schedule nightly", issue: "Review what changed in the nightly build." }]);
    expect((await resultOf(ws, "20260406_120000")).status).toBe("completed");
    await second.checkSchedules();
    await second.idle();
    expect(await requests(ws)).toHaveLength(1);
    expect(ws.server.requests).toHaveLength(1);
  });

  it("fires at the right instants across both daylight-saving changes in Europe/Berlin", async () => {
    const ws = await session.workspace({
      toml: `${NIGHTLY}
[[schedule]]
name = "small-hours"
cron = "0 30 2 * * *"
time_zone = "Europe/Berlin"
issue = "Compact the logs."
`,
    });
    // Every 30 minutes: each instant expected (and each wrong one: 01:30Z for 01:00Z) is a step.
    const fired = async (from: string, to: string): Promise<string[]> => {
      await rm(ws.layout.scheduleState, { force: true }); // each period starts as a first start
      const clock = manualClock(from);
      const ctx = await relayContext(ws, clock.now);
      const scheduler = new Scheduler(ctx, timedJobs(ctx), (error) => {
        throw error;
      });
      await scheduler.start();
      for (let at = new Date(from).getTime(); at <= new Date(to).getTime(); at += 30 * 60_000) {
        clock.set(new Date(at).toISOString());
        await scheduler.check();
      }
      scheduler.stop();
      return (await requests(ws)).filter((r) => r.id >= from.replace(/\D/g, "").slice(0, 8)).map((r) => `${r.id} ${r.requestedBy}`);
    };
    // Spring: 09:00 moves from 08:00Z to 07:00Z; 02:30 does not exist on the 29th and runs at 03:00 CEST (01:00Z).
    expect(await fired("2026-03-27T12:00:00Z", "2026-03-30T12:00:00Z")).toEqual([
      "20260328_013000 schedule small-hours",
      "20260328_080000 schedule nightly",
      "20260329_010000 schedule small-hours",
      "20260329_070000 schedule nightly",
      "20260330_003000 schedule small-hours",
      "20260330_070000 schedule nightly",
    ]);
    // Autumn: 02:30 happens twice on the 25th and runs once; 09:00 moves back to 08:00Z.
    expect(await fired("2026-10-23T12:00:00Z", "2026-10-26T12:00:00Z")).toEqual([
      "20261024_003000 schedule small-hours",
      "20261024_070000 schedule nightly",
      "20261025_003000 schedule small-hours",
      "20261025_080000 schedule nightly",
      "20261026_013000 schedule small-hours",
      "20261026_080000 schedule nightly",
    ]);
  });

  it("keeps a daemon with local-time schedules and digest free of Intl.DateTimeFormat (no ICU data loaded)", async () => {
    const formats = await dateTimeFormatsDuring(async () => {
      const ws = await session.workspace({
        toml: `[approval]\nrequired = true\n[digest]\nenabled = true\nat = "07:30"\n[[schedule]]\nname = "hourly"\ncron = "0 0 * * * *"\nissue = "Look at the error log."\n`,
      });
      const clock = manualClock("2026-03-28T05:10:00Z");
      const daemon = await session.start(ws, clock.now);
      clock.set("2026-03-29T12:00:00Z"); // both due: the request (held for approval) and the digest
      await daemon.checkSchedules();
      expect((await requests(ws)).map((r) => r.requestedBy)).toEqual(["schedule hourly"]);
      expect(await readdir(ws.layout.out)).toEqual([expect.stringMatching(/^digest-2026-03-29\.md$/)]);
    });
    expect(formats).toBe(0);
  });
});
