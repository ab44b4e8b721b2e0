// Issue #13's dashboard figures: first contentful paint in headless Chromium with 1,000 finished
// requests on record (and the time until the list holds all of them), and the daemon's idle RSS
// with `start --ui` against the same daemon without it. Prints nothing; returns rows for
// bench/run.ts. Never a test: nothing here fails on a timing.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { execa, type ResultPromise } from "execa";
import { makeCodexHome, MOCK_API_KEY, MOCK_ENV_KEY } from "../tests/fixtures/codex-home.js";
import { startModelServer } from "../tests/fixtures/model-server.js";
import { launchBrowser } from "../tests/helpers/browser.js";
import { delegationWorkspace, LogReader, mb, median, procStatus, waitFor, type Row } from "./bench-kit.js";

const CLI = path.join(process.cwd(), "dist/cli/bin.js");
const RECORDS = Number(process.env.BENCH_UI_RECORDS ?? 1000);
const PAINT_N = Number(process.env.BENCH_UI_PAINT_N ?? 7);
const RSS_N = Number(process.env.BENCH_UI_RSS_N ?? 3);
/** As in daemon-costs.ts: "idle" is this long after start. */
const IDLE_MS = 3000;
const STATUSES = ["completed", "completed", "completed", "failed", "cancelled", "timed_out"];

export async function benchDashboard(): Promise<Row[]> {
  const server = await startModelServer();
  const home = await makeCodexHome();
  const root = await mkdtemp(path.join(os.tmpdir(), "bench-ui-"));
  const ws = path.join(root, "ws");
  await mkdir(path.join(root, "home"));
  await mkdir(ws);
  const { inbox } = await delegationWorkspace(ws, server.url);
  const env = { PATH: process.env.PATH ?? "", HOME: path.join(root, "home"), CODEX_HOME: home.dir, [MOCK_ENV_KEY]: MOCK_API_KEY };
  try {
    // Idle RSS first, on the empty workspace daemon-costs.ts measures too; then the records.
    const rssOff: number[] = [];
    const rssOn: number[] = [];
    for (let round = 0; round < RSS_N; round += 1) {
      rssOff.push(await idleRss(ws, env, false));
      rssOn.push(await idleRss(ws, env, true));
    }
    await writeRecords(inbox, RECORDS);
    const { fcp, listed, rssAfter } = await paint(ws, env);
    return [
      { metric: `dashboard first contentful paint, ${RECORDS} requests on record, median (n=${PAINT_N})`, value: `${Math.round(median(fcp))} ms`, target: "≤ 500 ms" },
      { metric: `dashboard: all ${RECORDS} requests listed, from navigation, median`, value: `${Math.round(median(listed))} ms`, target: "" },
      { metric: `daemon idle RSS with --ui, ${IDLE_MS / 1000} s after start, median (n=${RSS_N})`, value: `${mb(median(rssOn))} MB`, target: "≤ 75 MB" },
      { metric: `daemon idle RSS without --ui, same workspace and moment, median (n=${RSS_N})`, value: `${mb(median(rssOff))} MB`, target: "≤ 60 MB" },
      { metric: `daemon RSS with --ui, ${RECORDS} requests on record, after ${PAINT_N} page loads, idle again`, value: `${mb(rssAfter)} MB`, target: "" },
    ];
  } finally {
    await server.close();
    await home.cleanup();
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** `count` finished requests over the last 14 days: request, RESULT .json and .md, as the daemon leaves them. */
async function writeRecords(inbox: string, count: number): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < count; i += 1) {
    const at = new Date(now - ((i * 14 * 86_400_000) / count));
    const id = `${at.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "_")}_${i}`;
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
    await writeFile(path.join(inbox, `CODEX_DELEGATION_RESULT_${id}.json`), `${JSON.stringify(result)}\n`);
  }
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

async function paint(ws: string, env: Record<string, string>): Promise<{ fcp: number[]; listed: number[]; rssAfter: number }> {
  const { daemon, url } = await startDaemon(ws, env, true);
  const browser = await launchBrowser();
  const fcp: number[] = [];
  const listed: number[] = [];
  try {
    for (let i = 0; i < PAINT_N; i += 1) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(url);
      await page.locator(`#rows tr:nth-child(${RECORDS})`).waitFor({ state: "attached", timeout: 30_000 });
      listed.push(await page.evaluate(() => performance.now()));
      fcp.push(await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN));
      await context.close();
    }
    await delay(IDLE_MS);
    return { fcp, listed, rssAfter: procStatus(daemon.pid!).rss };
  } finally {
    await browser.close();
    await stopDaemon(daemon);
  }
}
