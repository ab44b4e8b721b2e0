// Issue #13's dashboard figures at 1,000 and 10,000 finished requests on record: first
// contentful paint in headless Chromium, the time until the list is usable (its first rows are
// shown), the JSON the page fetches on load and on each live update, the daemon's CPU per live
// update (a request finishing while the page is open), and the daemon's RSS with `start --ui`
// against the same daemon without it; a `node -e 0` row of the same run. Prints nothing; returns
// rows for bench/run.ts. Never a test: nothing here fails on a timing. BENCH_UI_RECORDS lists the
// counts (default 1000,10000).
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { execa, type ResultPromise } from "execa";
import type { Page } from "playwright-core";
import { makeCodexHome, MOCK_API_KEY, MOCK_ENV_KEY } from "../tests/fixtures/codex-home.js";
import { startModelServer } from "../tests/fixtures/model-server.js";
import { launchBrowser } from "../tests/helpers/browser.js";
import { delegationWorkspace, LogReader, mb, median, procStatus, waitFor, type Row } from "./bench-kit.js";

const CLI = path.join(process.cwd(), "dist/cli/bin.js");
const COUNTS = (process.env.BENCH_UI_RECORDS ?? "1000,10000").split(",").map(Number);
const PAINT_N = Number(process.env.BENCH_UI_PAINT_N ?? 5);
const RSS_N = Number(process.env.BENCH_UI_RSS_N ?? 3);
const UPDATE_N = Number(process.env.BENCH_UI_UPDATE_N ?? 10);
const NODE_N = 10;
/** As in daemon-costs.ts: "idle" is this long after start. */
const IDLE_MS = 3000;
const STATUSES = ["completed", "completed", "completed", "failed", "cancelled", "timed_out"];
const TICK_MS = 1000 / 100; // /proc's clock ticks (USER_HZ)

export async function benchDashboard(): Promise<Row[]> {
  const server = await startModelServer();
  const home = await makeCodexHome();
  const root = await mkdtemp(path.join(os.tmpdir(), "bench-ui-"));
  const ws = path.join(root, "ws");
  await mkdir(path.join(root, "home"));
  await mkdir(ws);
  const { inbox } = await delegationWorkspace(ws, server.url);
  // No audit branch here: its daemon would commit each seeded RESULT at start (minutes for 10,000), which is not the dashboard's cost.
  const toml = path.join(ws, "codex-relay.toml");
  await writeFile(toml, (await readFile(toml, "utf8")).replace("[audit]\nenabled = true", "[audit]\nenabled = false"));
  const env = { PATH: process.env.PATH ?? "", HOME: path.join(root, "home"), CODEX_HOME: home.dir, [MOCK_ENV_KEY]: MOCK_API_KEY };
  try {
    // Idle RSS first, on the empty workspace daemon-costs.ts measures too; then the records.
    const rssOff: number[] = [];
    const rssOn: number[] = [];
    for (let round = 0; round < RSS_N; round += 1) {
      rssOff.push(await idleRss(ws, env, false));
      rssOn.push(await idleRss(ws, env, true));
    }
    const rows: Row[] = [
      { metric: `node -e 0 median (n=${NODE_N})`, value: `${Math.round(await nodeBaseline())} ms`, target: "" },
      { metric: `daemon idle RSS with --ui, ${IDLE_MS / 1000} s after start, median (n=${RSS_N})`, value: `${mb(median(rssOn))} MB`, target: "≤ 75 MB" },
      { metric: `daemon idle RSS without --ui, same workspace and moment, median (n=${RSS_N})`, value: `${mb(median(rssOff))} MB`, target: "≤ 60 MB" },
    ];
    let written = 0;
    for (const count of COUNTS) {
      await writeRecords(inbox, written, count);
      written = count;
      const n = count.toLocaleString("en-US");
      const m = await paint(ws, env);
      rows.push(
        { metric: `dashboard first contentful paint, ${n} requests on record, median (n=${PAINT_N})`, value: `${Math.round(median(m.fcp))} ms`, target: "≤ 500 ms" },
        { metric: `dashboard list usable (first rows shown), ${n} requests, from navigation, median`, value: `${Math.round(median(m.usable))} ms`, target: "≤ 1 s" },
        { metric: `dashboard JSON fetched on load, ${n} requests`, value: `${kb(m.loadBytes)} KB`, target: "" },
        { metric: `dashboard JSON fetched per live update (a request finishes), ${n} requests, median (n=${UPDATE_N})`, value: `${kb(median(m.updateBytes))} KB`, target: "" },
        { metric: `daemon CPU per live update with the page open / the same request finishing with no page, ${n} requests (mean of ${UPDATE_N})`, value: `${Math.round(m.cpuPerUpdate)} / ${Math.round(m.cpuQuiet)} ms`, target: "" },
        { metric: `daemon RSS with --ui, ${n} requests on record, after ${PAINT_N} page loads and ${UPDATE_N} updates, idle again`, value: `${mb(m.rssAfter)} MB`, target: "" },
      );
    }
    return rows;
  } finally {
    await server.close();
    await home.cleanup();
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Finished requests `from` to `to` (exclusive), one every two minutes back from an hour ago: request, RESULT .json and .md, as the daemon leaves them. */
async function writeRecords(inbox: string, from: number, to: number): Promise<void> {
  const now = Date.now() - 3_600_000;
  for (let i = from; i < to; i += 1) await writeRecord(inbox, new Date(now - i * 120_000), i);
}

/** One finished request; the RESULT .json last and renamed in, as the daemon commits it. */
async function writeRecord(inbox: string, at: Date, i: number): Promise<string> {
  const id = `${at.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "_")}_${i}`;
  {
    const status = STATUSES[i % STATUSES.length]!;
    const result = {
      schema: "codex-relay/result@1", id, request: `CODEX_DELEGATION_REQUEST_${id}.md`, kind: "analysis", status,
      summary: `Bench request ${i}: the cache never expires.`, analysis: null, patch: null, warnings: [],
      error: status === "completed" ? null : { code: status === "failed" ? "codex_failed" : status, message: "bench", hint: "bench" },
      raw_reply: null, codex: { version: "0.169.0", bin: null, model: "gpt-5.5", thread_id: null, sandbox: "read-only", exit_code: 0 },
      usage: { input_tokens: 1200 + i, cached_input_tokens: 0, output_tokens: 300, reasoning_output_tokens: 0, cost_usd: null },
      timing: { detected_at: at.toISOString(), started_at: at.toISOString(), finished_at: at.toISOString(), duration_ms: 2000 + (i % 50) * 100 },
    };
    await writeFile(path.join(inbox, `CODEX_DELEGATION_REQUEST_${id}.md`), `---\nrequested_by: bench\n---\n## Issue\nBench request ${i}: the cache never expires.\n`);
    await writeFile(path.join(inbox, `CODEX_DELEGATION_RESULT_${id}.md`), `# Codex Delegation Result ${id}\n\n- **Status:** ${status}\n`);
    const json = path.join(inbox, `CODEX_DELEGATION_RESULT_${id}.json`);
    await writeFile(`${json}.tmp`, `${JSON.stringify(result)}\n`);
    await rename(`${json}.tmp`, json);
  }
  return id;
}

async function startDaemon(ws: string, env: Record<string, string>, ui: boolean): Promise<{ daemon: ResultPromise; url: string }> {
  const log = new LogReader(path.join(ws, ".autonomous_runs/.relay/daemon.log.jsonl"));
  const before = log.events().filter((e) => e.event === "daemon started").length;
  const daemon = execa(process.execPath, [CLI, "start", "--quiet", "--workspace", ws, ...(ui ? ["--ui"] : [])], { env, extendEnv: false, stdin: "ignore", reject: false, buffer: false });
  let printed = "";
  daemon.stdout?.on("data", (chunk: Buffer) => (printed += String(chunk)));
  await waitFor(() => log.events().filter((e) => e.event === "daemon started").length > before && (!ui || printed.includes("dashboard at ")), 30_000, 10, () => "the daemon to start");
  return { daemon, url: /dashboard at (\S+)/.exec(printed)?.[1] ?? "" };
}

async function stopDaemon(daemon: ResultPromise): Promise<void> {
  daemon.kill("SIGTERM");
  await daemon;
}

async function idleRss(ws: string, env: Record<string, string>, ui: boolean): Promise<number> {
  const { daemon } = await startDaemon(ws, env, ui);
  try {
    await delay(IDLE_MS);
    return procStatus(daemon.pid!).rss;
  } finally {
    await stopDaemon(daemon);
  }
}

interface PaintFigures {
  fcp: number[];
  usable: number[];
  loadBytes: number;
  updateBytes: number[];
  cpuPerUpdate: number;
  cpuQuiet: number;
  rssAfter: number;
}

async function paint(ws: string, env: Record<string, string>): Promise<PaintFigures> {
  const { daemon, url } = await startDaemon(ws, env, true);
  const inbox = path.join(ws, ".autonomous_runs/codex_delegations");
  await delay(IDLE_MS); // a page opened on a running daemon, not on one still reading its inbox
  // What a finished request costs the daemon with no page open: the part of an update that is not the dashboard's.
  const quietBefore = cpuMs(daemon.pid!);
  for (let i = 0; i < UPDATE_N; i += 1) {
    await writeRecord(inbox, new Date(Date.now() - 1000), 800_000 + i);
    await delay(300);
  }
  const cpuQuiet = (cpuMs(daemon.pid!) - quietBefore) / UPDATE_N;
  const browser = await launchBrowser();
  const fcp: number[] = [];
  const usable: number[] = [];
  let loadBytes = 0;
  try {
    for (let i = 0; i < PAINT_N; i += 1) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const fetched = apiBytes(page);
      await page.goto(url);
      await page.locator("#rows tr").first().waitFor({ state: "visible", timeout: 60_000 });
      usable.push(await page.evaluate(() => performance.now()));
      fcp.push(await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN));
      await page.waitForLoadState("networkidle");
      loadBytes = fetched.total();
      await context.close();
    }
    // Live updates: a request finishes while the page is open; the page shows it at the top.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.locator("#rows tr").first().waitFor({ state: "visible", timeout: 60_000 });
    await page.waitForLoadState("networkidle");
    await delay(500);
    const updateBytes: number[] = [];
    const cpuBefore = cpuMs(daemon.pid!);
    for (let i = 0; i < UPDATE_N; i += 1) {
      const fetched = apiBytes(page);
      const id = await writeRecord(inbox, new Date(Date.now() - 1000), 900_000 + i);
      await page.locator(`#rows tr:first-child[data-id="${id}"]`).waitFor({ timeout: 60_000 });
      await page.waitForLoadState("networkidle");
      await delay(300); // a second change event of the same write, if any, counts too
      updateBytes.push(fetched.total());
      fetched.stop();
    }
    const cpuPerUpdate = (cpuMs(daemon.pid!) - cpuBefore) / UPDATE_N;
    await context.close();
    for (const name of readdirSync(inbox)) if (/_[89]000\d\d\./.test(name)) await rm(path.join(inbox, name)); // the next count starts clean
    await delay(IDLE_MS);
    return { fcp, usable, loadBytes, updateBytes, cpuPerUpdate, cpuQuiet, rssAfter: procStatus(daemon.pid!).rss };
  } finally {
    await browser.close();
    await stopDaemon(daemon);
  }
}

/** The bytes of the page's /api/ responses from now on (the event stream aside). */
function apiBytes(page: Page): { total(): number; stop(): void } {
  let total = 0;
  const pending: Promise<void>[] = [];
  const listener = (response: import("playwright-core").Response) => {
    const url = new URL(response.url());
    if (!url.pathname.startsWith("/api/") || url.pathname === "/api/events") return;
    pending.push(response.body().then((body) => void (total += body.length), () => undefined));
  };
  page.on("response", listener);
  return { total: () => total, stop: () => page.off("response", listener) };
}

/** A process's user and system CPU time so far, from /proc. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

async function nodeBaseline(): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < NODE_N; i += 1) {
    const t = performance.now();
    await execa(process.execPath, ["-e", "0"]);
    runs.push(performance.now() - t);
  }
  return median(runs);
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
