// The dashboard's list a page at a time (a workspace that runs schedules for months holds 10,000
// requests): the newest 100 first, "Load older" for the rest in order, inbox and archive alike, and
// a request finishing while the page is open at the top; the server's cursor refusals.
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { jsonMessage } from "../fixtures/model-server.js";
import { dashboardPage } from "../helpers/browser.js";
import { useBrowser } from "../helpers/use-browser.js";
import { useDaemonSession } from "../helpers/daemon-session.js";
import { analysisReply, until, type TestWorkspace } from "../helpers/relay-workspace.js";

const session = useDaemonSession();
const browser = useBrowser();

const SEEDED = 250;
const ARCHIVED = 50;

/** `count` finished requests a minute apart ending an hour ago, newest first; the oldest `archived` in their archive month. */
async function seedFinished(ws: TestWorkspace, count: number, archived: number): Promise<string[]> {
  const ids: string[] = [];
  const start = Date.now() - 3_600_000;
  for (let i = 0; i < count; i += 1) {
    const at = new Date(start - i * 60_000);
    const id = at.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "_");
    const dir = i >= count - archived ? ws.layout.archiveMonth(id.slice(0, 4) + "-" + id.slice(4, 6)) : ws.layout.inbox;
    await mkdir(dir, { recursive: true });
    const result = {
      schema: "codex-relay/result@1", id, request: `CODEX_DELEGATION_REQUEST_${id}.md`, kind: "analysis", status: "completed",
      summary: `Seeded request ${i}.`, analysis: null, patch: null, warnings: [], error: null, raw_reply: null,
      codex: { version: "0.171.0", bin: null, model: "gpt-5.5", thread_id: null, sandbox: "read-only", exit_code: 0 },
      usage: { input_tokens: 1000, cached_input_tokens: 0, output_tokens: 100, reasoning_output_tokens: 0, cost_usd: null },
      timing: { detected_at: at.toISOString(), started_at: at.toISOString(), finished_at: at.toISOString(), duration_ms: 1000 },
    };
    await writeFile(path.join(dir, `CODEX_DELEGATION_REQUEST_${id}.md`), `---\nrequested_by: test\n---\n## Issue\nSeeded request ${i}.\n`);
    await writeFile(path.join(dir, `CODEX_DELEGATION_RESULT_${id}.md`), `# Codex Delegation Result ${id}\n`);
    await writeFile(path.join(dir, `CODEX_DELEGATION_RESULT_${id}.json`), `${JSON.stringify(result)}\n`);
    ids.push(id);
  }
  return ids;
}

describe("the dashboard's list, a page at a time", () => {
  it("shows the newest 100 of 250, brings the rest in order with Load older, and puts a request that finishes at the top", async () => {
    const ws = await session.workspace({ toml: "[patch]\nauto_diagnose = false\n" });
    const seeded = await seedFinished(ws, SEEDED, ARCHIVED);
    const daemon = await session.startDaemon(ws, ["--ui"]);
    await until(() => daemon.printed().includes("dashboard at "), "the dashboard's URL");
    const url = /dashboard at (\S+)/.exec(daemon.printed())![1]!;

    const page = await dashboardPage(browser());
    await page.goto(url);
    const rows = page.locator("#rows tr");
    await rows.first().waitFor();
    const ids = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-id")));
    expect(await ids()).toEqual(seeded.slice(0, 100));
    expect(await page.locator("#counts").textContent()).toBe(`${SEEDED} requests · 0 open`);

    const older = page.getByRole("button", { name: "Load older" });
    await older.click();
    await rows.nth(199).waitFor();
    await older.click();
    await rows.nth(SEEDED - 1).waitFor(); // the last 50 are the archived ones
    expect(await ids()).toEqual(seeded);
    await older.waitFor({ state: "hidden" });

    // A request made now finishes while the page is open: it comes in at the top, completed.
    ws.server.enqueue(jsonMessage(analysisReply()));
    const fresh = JSON.parse((await ws.cli(["delegate", "--json", "--issue", "Finish while I watch."])).stdout).id as string;
    await page.locator(`#rows tr:first-child[data-id="${fresh}"]`).getByText("completed").waitFor({ timeout: 30_000 });
    expect(await ids()).toEqual([fresh, ...seeded]);
    expect(await page.locator("#counts").textContent()).toBe(`${SEEDED + 1} requests · 0 open`);
  }, 120_000);

  it("filters on the server: words found only past the first page come in, archived ones too", async () => {
    const ws = await session.workspace();
    const seeded = await seedFinished(ws, SEEDED, ARCHIVED);
    const daemon = await session.startDaemon(ws, ["--ui"]);
    await until(() => daemon.printed().includes("dashboard at "), "the dashboard's URL");
    const page = await dashboardPage(browser());
    await page.goto(/dashboard at (\S+)/.exec(daemon.printed())![1]!);
    await page.locator("#rows tr").first().waitFor();

    await page.getByRole("searchbox", { name: "filter" }).fill("Seeded request 24");
    // Requests 24 and 240–249: the last ten are archived, far past the first page.
    await page.locator(`#rows tr[data-id="${seeded[249]}"]`).waitFor();
    expect(await page.locator("#rows tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-id")))).toEqual([24, ...Array.from({ length: 10 }, (_, i) => 240 + i)].map((i) => seeded[i]));
    expect(await page.getByRole("button", { name: "Load older" }).isHidden()).toBe(true);
  }, 120_000);

  it("refuses a cursor that is not a request id, and writes nothing", async () => {
    const ws = await session.workspace();
    const daemon = await session.startDaemon(ws, ["--ui"]);
    await until(() => daemon.printed().includes("dashboard at "), "the dashboard's URL");
    const url = new URL(/dashboard at (\S+)/.exec(daemon.printed())![1]!);
    // What the daemon itself writes meanwhile (its log, lock, git) aside.
    const files = async () => (await readdir(ws.dir, { recursive: true })).filter((name) => !/^(\.git|\.autonomous_runs\/\.relay)(\/|$)/.test(name)).sort();
    const before = await files();
    const get = (query: string) => fetch(`${url.origin}/api/requests?${query}`, { headers: { authorization: `Bearer ${url.searchParams.get("token")}` } });
    for (const query of ["before=..%2F..%2Fcodex-relay.toml", "after=x", "refresh=20261201_000000,nope", "limit=-1"]) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { hint: string }).hint, query).toContain("Reload the dashboard");
    }
    expect(await (await get("limit=5")).json()).toEqual({ rows: [], more: false, refreshed: [], total: 0, open: 0 });
    expect(await files()).toEqual(before);
  }, 60_000);
});
