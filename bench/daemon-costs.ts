// Issue #9's daemon figures through the real `codex-relay start`: the first request after start
// against warm ones (daemon overhead = detected → RESULT written, minus Codex's own run), idle
// RSS once the daemon has settled, the daemon's own CPU per request (/proc utime + stime, Codex
// and git excluded: they are children), and where detection → spawn goes, step by step.
// Prints nothing; returns rows for bench/run.ts. Never a test: nothing here fails on a timing.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { execa, type ResultPromise } from "execa";
import { makeCodexHome, MOCK_API_KEY, MOCK_ENV_KEY } from "../tests/fixtures/codex-home.js";
import { jsonMessage, startModelServer } from "../tests/fixtures/model-server.js";
import { delegationWorkspace, LogReader, mb, median, procStatus, waitFor, type LogEvent, type Row } from "./bench-kit.js";

const CLI = path.join(process.cwd(), "dist/cli/bin.js");
/** Daemon starts: each gives one cold request. */
const COLD_N = Number(process.env.BENCH_COLD_N ?? 7);
/** Warm requests after each cold one. */
const WARM_N = 4;
const CPU_N = Number(process.env.BENCH_CPU_N ?? 200);
/** How long a fresh daemon is left alone before its first request: "after start, once idle". */
const IDLE_MS = 3000;
const REPLY = { root_cause: "bench", technical_explanation: "bench", recommended_fixes: [], code_examples: [], additional_investigation: [], confidence: "low", patch: null };

interface Bench {
  readonly ws: string;
  readonly env: Record<string, string>;
  drop(): Promise<string>;
}

export async function benchDaemonCosts(): Promise<Row[]> {
  const server = await startModelServer();
  server.setDefault(jsonMessage(REPLY));
  const home = await makeCodexHome();
  const root = await mkdtemp(path.join(os.tmpdir(), "bench-costs-"));
  const ws = path.join(root, "ws");
  const userHome = path.join(root, "home");
  await mkdir(userHome);
  await mkdir(ws);
  const { inbox, staging } = await delegationWorkspace(ws, server.url);
  let seq = 0;
  const bench: Bench = {
    ws,
    env: {
      PATH: process.env.PATH ?? "", HOME: userHome, CODEX_HOME: home.dir, [MOCK_ENV_KEY]: MOCK_API_KEY,
    },
    async drop() {
      seq += 1;
      const id = `20990202_000000_${seq}`;
      const tmp = path.join(staging, `${id}.md`);
      await writeFile(tmp, `## Issue\nBenchmark request ${id}: say nothing in particular.\n`);
      await rename(tmp, path.join(inbox, `CODEX_DELEGATION_REQUEST_${id}.md`));
      return id;
    },
  };
  try {
    return [nodeStartRow(), ...(await coldAndWarm(bench)), ...(await cpuPerRequest(bench))];
  } finally {
    await server.close();
    await home.cleanup();
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
  }
}

// The machine is shared: each run carries its own yardstick, the start of a bare node process.
function nodeStartRow(): Row {
  const runs: number[] = [];
  for (let i = 0; i < 7; i += 1) {
    const start = performance.now();
    execFileSync(process.execPath, ["-e", "0"], { stdio: "ignore" });
    runs.push(performance.now() - start);
  }
  return { metric: "node -e 0, median (n=7)", value: `${median(runs).toFixed(1)} ms`, target: "" };
}

// COLD_N fresh daemons: each left idle for IDLE_MS, then one request (cold), then WARM_N more.
async function coldAndWarm(bench: Bench): Promise<Row[]> {
  const cold: number[] = [];
  const warm: number[] = [];
  const idleRss: number[] = [];
  const firstRss: number[] = [];
  for (let round = 0; round < COLD_N; round += 1) {
    const { daemon, log } = await startDaemon(bench);
    try {
      await delay(IDLE_MS);
      idleRss.push(procStatus(daemon.pid!).rss);
      for (let i = 0; i <= WARM_N; i += 1) {
        const id = await bench.drop();
        await settled(log, id);
        (i === 0 ? cold : warm).push(overheadOf(log.events(), id));
        if (i === 0) firstRss.push(procStatus(daemon.pid!).rss);
      }
    } finally {
      await stopDaemon(daemon);
    }
  }
  const coldMs = median(cold);
  const warmMs = median(warm);
  return [
    { metric: `daemon idle RSS, ${IDLE_MS / 1000} s after start, median (n=${COLD_N})`, value: `${mb(median(idleRss))} MB`, target: "≤ 60 MB" },
    { metric: "daemon RSS after its first request, median", value: `${mb(median(firstRss))} MB`, target: "" },
    { metric: `first request after start: daemon overhead median (n=${COLD_N})`, value: `${Math.round(coldMs)} ms`, target: "" },
    { metric: `warm request: daemon overhead median (n=${warm.length})`, value: `${Math.round(warmMs)} ms`, target: "" },
    { metric: "first − warm request overhead", value: `${Math.round(coldMs - warmMs)} ms`, target: "≤ 50 ms" },
  ];
}

// One daemon, CPU_N requests one at a time (each waits for the previous one's audit commit), the
// daemon's own utime + stime before and after; then the same without the audit trail, whose git
// runs are most of it. Also where detection → spawn goes, per step.
async function cpuPerRequest(bench: Bench): Promise<Row[]> {
  const audited = await cpuRun(bench, CPU_N);
  const toml = path.join(bench.ws, "codex-relay.toml");
  const config = readFileSync(toml, "utf8");
  await writeFile(toml, config.replace("[audit]\nenabled = true", "[audit]\nenabled = false"));
  let plain: Awaited<ReturnType<typeof cpuRun>>;
  try {
    plain = await cpuRun(bench, Math.ceil(CPU_N / 2), false);
  } finally {
    await writeFile(toml, config);
  }
  const { events, ids } = audited;
  const at = (event: string) => new Map(events.filter((e) => e.event === event).map((e) => [e.id, Date.parse(e.at!)]));
  const detected = at("detected");
  const claimed = at("claimed");
  const spawned = at("codex started");
  const step = (from: Map<string | undefined, number>, to: Map<string | undefined, number>) => ids.map((id) => to.get(id)! - from.get(id)!).filter(Number.isFinite);
  const p = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((q / 100) * values.length) - 1)] ?? NaN;
  const toClaim = step(detected, claimed);
  const toSpawn = step(claimed, spawned);
  const total = step(detected, spawned);
  return [
    { metric: `daemon CPU per request, user+sys, Codex excluded (n=${ids.length})`, value: `${audited.perRequestMs.toFixed(1)} ms`, target: "≤ 5 ms" },
    { metric: `  the same with [audit] enabled = false (n=${plain.ids.length})`, value: `${plain.perRequestMs.toFixed(1)} ms`, target: "" },
    { metric: "  detected → claimed p50 / p99", value: `${p(toClaim, 50)} / ${p(toClaim, 99)} ms`, target: "" },
    { metric: "  claimed → codex started p50 / p99", value: `${p(toSpawn, 50)} / ${p(toSpawn, 99)} ms`, target: "" },
    { metric: `  detected → codex started p50 / p99 (n=${total.length})`, value: `${p(total, 50)} / ${p(total, 99)} ms`, target: "≤ 10 ms p99" },
  ];
}

async function cpuRun(bench: Bench, n: number, audit = true): Promise<{ perRequestMs: number; events: LogEvent[]; ids: string[] }> {
  const { daemon, log } = await startDaemon(bench);
  const ids: string[] = [];
  try {
    await delay(IDLE_MS);
    const first = await bench.drop(); // loads whatever is still lazy: not counted
    await settled(log, first, audit);
    const before = cpuTimeMs(daemon.pid!);
    for (let i = 0; i < n; i += 1) {
      const id = await bench.drop();
      ids.push(id);
      await settled(log, id, audit);
    }
    const perRequestMs = (cpuTimeMs(daemon.pid!) - before) / n;
    return { perRequestMs, events: log.events(), ids };
  } finally {
    await stopDaemon(daemon);
  }
}

/** detected → RESULT written, minus the time Codex itself ran: what the daemon added. */
function overheadOf(events: LogEvent[], id: string): number {
  const time = (event: string) => {
    const e = events.find((x) => x.id === id && x.event === event);
    if (!e?.at) throw new Error(`bench: no "${event}" line for ${id}`);
    return { at: Date.parse(e.at), e };
  };
  const codexMs = time("codex finished").e.ms;
  if (typeof codexMs !== "number") throw new Error(`bench: "codex finished" of ${id} has no ms`);
  return time("result written").at - time("detected").at - codexMs;
}

async function startDaemon(bench: Bench): Promise<{ daemon: ResultPromise; log: LogReader }> {
  const logFile = path.join(bench.ws, ".autonomous_runs/.relay/daemon.log.jsonl");
  await rm(logFile, { force: true });
  const log = new LogReader(logFile);
  // Launched as a user launches it, the executable itself, unless BENCH_DAEMON_NODE_ARGS asks for
  // node flags (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", for a look at where the CPU goes).
  const nodeArgs = process.env.BENCH_DAEMON_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const [file, ...args] = [...(nodeArgs.length > 0 ? [process.execPath, ...nodeArgs] : []), CLI, "start", "--quiet", "--workspace", bench.ws];
  const daemon = execa(file!, args, { env: bench.env, extendEnv: false, stdin: "ignore", reject: false });
  await waitFor(() => log.events().some((e) => e.event === "daemon started"), 20_000, 5, () => `the daemon to start (exit ${daemon.exitCode ?? "none yet"})`);
  return { daemon, log };
}

async function stopDaemon(daemon: ResultPromise): Promise<void> {
  daemon.kill("SIGTERM");
  await daemon;
}

/** The request fully done, audit commit included when there is one: each is measured on a quiet daemon. */
async function settled(log: LogReader, id: string, audit = true): Promise<void> {
  const done = (e: LogEvent) => e.id === id && (audit ? String(e.event).startsWith("audit") : e.event === "result written");
  await waitFor(() => log.events().some(done), 30_000, 2, () => `the end of ${id}`);
  await delay(20);
}

const TICKS_PER_S = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** The process's own user + system CPU in ms (fields 14 and 15 of /proc/<pid>/stat; children's are separate). */
function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // the name in parentheses may hold spaces
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
}
