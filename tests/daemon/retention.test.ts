// Retention on an injected clock: finished requests past `retention.days` move to
// archive/YYYY-MM/ with their RESULT pair and event log; queued, held, running and claimed ones,
// and those the audit branch lacks, stay; old recordings and temp files go.
import { existsSync } from "node:fs";
import { mkdir, readdir, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RelayContext } from "../../src/context/relay-context.js";
import { catchUpAudit } from "../../src/daemon/audit-catch-up.js";
import { tryClaim } from "../../src/daemon/claims.js";
import { applyRetention } from "../../src/daemon/retention.js";
import { RelayError } from "../../src/errors.js";
import { auditedIds } from "../../src/git/audit-branch.js";
import { buildResult, writeResult } from "../../src/report/result-file.js";
import { jsonMessage } from "../fixtures/model-server.js";
import { useClockedDaemons } from "../helpers/clocked-daemon.js";
import { analysisReply, relayContext, until, type TestWorkspace } from "../helpers/relay-workspace.js";

const NOW = new Date("2026-06-15T12:00:00Z"); // retention.days = 30: the cutoff is 2026-05-16T12:00Z

const session = useClockedDaemons();
const clock = () => new Date(NOW);

/**
 * A request file, and with `finishedAt` its RESULT pair and event log, as the daemon writes them.
 * The request comes last: a running daemon that sees it finds it answered already.
 */
async function request(ctx: RelayContext, id: string, finishedAt?: string): Promise<void> {
  const publish = () => writeFile(ctx.layout.request(id), `## Issue\nRequest ${id}.\n`);
  if (!finishedAt) return publish();
  await writeFile(ctx.layout.log(id), '{"type":"thread.started"}\n');
  const failed = new RelayError("codex_failed", "the model said no");
  await writeResult(
    ctx.layout,
    buildResult({
      id,
      kind: "analysis",
      status: "failed",
      error: failed,
      warnings: [],
      codex: { version: null, bin: null, model: null, thread_id: null, sandbox: "read-only", exit_code: 1 },
      detectedAt: new Date(finishedAt),
      finishedAt: new Date(finishedAt),
    }),
    ctx.redactor,
  );
  await publish();
}

const inbox = async (w: TestWorkspace) => (await readdir(w.layout.inbox)).sort();
const filesOf = (id: string) => [`CODEX_DELEGATION_LOG_${id}.jsonl`, `CODEX_DELEGATION_REQUEST_${id}.md`, `CODEX_DELEGATION_RESULT_${id}.json`, `CODEX_DELEGATION_RESULT_${id}.md`];

describe("retention", () => {
  it("moves exactly the old finished requests to archive/YYYY-MM/ and leaves queued, held, running and claimed ones", async () => {
    const ws = await session.workspace({ toml: "[approval]\nrequired = true\n[audit]\nenabled = false\n" });
    ws.server.setDefault({ ...jsonMessage(analysisReply()), delayMs: 60_000 }); // the running one stays running
    const ctx = await relayContext(ws, clock);
    await request(ctx, "20260501_080000", "2026-06-01T08:00:00Z"); // old id, but finished 14 days ago: stays
    await request(ctx, "20260610_090000", "2026-06-10T09:00:00Z"); // recent: stays
    await request(ctx, "20260301_070000"); // old, held for approval: stays
    await request(ctx, "20260302_070000"); // old, approved below: running while retention runs
    await request(ctx, "20260405_060000", "2026-04-05T06:00:00Z"); // old, finished, but still claimed: stays
    expect(await tryClaim(ctx.layout, "20260405_060000", 1, NOW)).toBeDefined();
    await writeFile(ws.layout.approve("20260302_070000"), "");
    const daemon = await session.start(ws, clock);
    await until(() => existsSync(ws.layout.claim("20260302_070000")) && ws.server.requests.length > 0, "the approved request to run");
    // Made while the daemon runs: its start-up retention has not seen them.
    await request(ctx, "20260401_100000", "2026-04-01T10:01:00Z"); // old, finished: moves
    // recordings: of the old finished request (goes), of a recent and of a held one (stay)
    for (const id of ["20260401_100000", "20260610_090000", "20260301_070000"]) {
      await mkdir(ctx.layout.recording(id), { recursive: true });
      await writeFile(path.join(ctx.layout.recording(id), "calls.jsonl"), "{}\n");
    }
    const oldTemp = path.join(ctx.layout.tmp, "left-behind.md");
    const freshTemp = path.join(ctx.layout.tmp, "being-written.md");
    await writeFile(oldTemp, "x");
    await writeFile(freshTemp, "x");
    await utimes(oldTemp, new Date("2026-06-13T12:00:00Z"), new Date("2026-06-13T12:00:00Z"));
    await utimes(freshTemp, new Date("2026-06-15T11:00:00Z"), new Date("2026-06-15T11:00:00Z"));

    const before = await inbox(ws);
    await daemon.retain();

    expect((await readdir(ws.layout.archiveMonth("2026-04"))).sort()).toEqual(filesOf("20260401_100000"));
    const moved = new Set(filesOf("20260401_100000"));
    expect(await inbox(ws)).toEqual(before.filter((name) => !moved.has(name)));
    for (const id of ["20260501_080000", "20260610_090000", "20260405_060000"]) expect(existsSync(ws.layout.result(id, "json")), id).toBe(true);
    for (const id of ["20260301_070000", "20260302_070000"]) expect(existsSync(ws.layout.request(id)), id).toBe(true);
    expect(existsSync(ws.layout.archive)).toBe(true);
    expect((await readdir(ws.layout.archive)).sort()).toEqual(["2026-04"]);
    expect(existsSync(ws.layout.recording("20260401_100000"))).toBe(false);
    expect(existsSync(ws.layout.recording("20260610_090000"))).toBe(true);
    expect(existsSync(ws.layout.recording("20260301_070000"))).toBe(true);
    expect(existsSync(oldTemp)).toBe(false);
    expect(existsSync(freshTemp)).toBe(true);

    // The daemon's next sweep does not take the archived request for an unanswered one.
    await daemon.sweep();
    expect(existsSync(ws.layout.request("20260401_100000"))).toBe(false);
    expect(ws.server.requests).toHaveLength(1);
  });

  it("archives a finished request only once the audit branch has it", async () => {
    const ws = await session.workspace();
    const ctx = await relayContext(ws, clock);
    await request(ctx, "20260401_100000", "2026-04-01T10:01:00Z");
    expect((await applyRetention(ctx)).archived).toEqual([]);
    expect(existsSync(ws.layout.result("20260401_100000", "json"))).toBe(true);

    expect(await catchUpAudit(ctx)).toEqual(["20260401_100000"]);
    await ctx.background.drain();
    expect((await auditedIds(ws.dir))?.has("20260401_100000")).toBe(true);
    expect((await applyRetention(ctx)).archived).toEqual(["20260401_100000"]);
    expect((await readdir(ws.layout.archiveMonth("2026-04"))).sort()).toEqual(filesOf("20260401_100000"));
  });

  it("removes the approval records of the patch requests it archives, and keeps the others'", async () => {
    const ws = await session.workspace({ toml: "[audit]\nenabled = false\n" });
    const ctx = await relayContext(ws, clock);
    await request(ctx, "20260401_100000", "2026-04-01T10:01:00Z"); // archived
    await request(ctx, "20260610_090000", "2026-06-10T09:00:00Z"); // kept
    await mkdir(ws.layout.approvals, { recursive: true });
    const [archivedRecord, keptRecord] = [ws.layout.approval("a".repeat(64)), ws.layout.approval("b".repeat(64))];
    await writeFile(archivedRecord, "20260401_100000\n");
    await writeFile(keptRecord, "20260610_090000\n");
    expect((await applyRetention(ctx)).archived).toEqual(["20260401_100000"]);
    expect([existsSync(archivedRecord), existsSync(keptRecord)]).toEqual([false, true]);
    expect(await readdir(ws.layout.approvals)).toEqual(["b".repeat(64)]); // its lock gone with it
  });

  it("keeps everything with retention.days = 0", async () => {
    const ws = await session.workspace({ toml: "[retention]\ndays = 0\n[audit]\nenabled = false\n" });
    const ctx = await relayContext(ws, clock);
    await request(ctx, "20200101_000000", "2020-01-01T00:01:00Z");
    expect((await applyRetention(ctx)).archived).toEqual([]);
    expect(existsSync(ws.layout.archive)).toBe(false);
  });
});
