// `npm run bench`: the figures of issue #2 against the scripted local model server, printed as a
// table. Never a test: nothing here fails on a timing. Run from the repository root after a build.
// BENCH_SKIP_DELEGATION, BENCH_SKIP_CLIENT, BENCH_SKIP_COSTS, BENCH_SKIP_TRANSCRIPTS, BENCH_SKIP_GATEWAY,
// BENCH_SKIP_PATCH, BENCH_SKIP_OBSERVE and BENCH_SKIP_UI (=1) leave a section out.
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rename, rm, writeFile, mkdir } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { execa } from "execa";
import { codexBinary, codexProviderOverrides, makeCodexHome, MOCK_API_KEY, MOCK_ENV_KEY } from "../tests/fixtures/codex-home.js";
import { jsonMessage, startModelServer } from "../tests/fixtures/model-server.js";
import { benchPatchFlow } from "./patch-flow.js";
import { delegationWorkspace, LogReader, mb, pct, procStatus, waitFor, type Row } from "./bench-kit.js";
import { benchGateway } from "./gateway.js";
import { benchPatchPool } from "./patch-pool.js";
import { benchClient } from "./client.js";
import { benchDaemonCosts } from "./daemon-costs.js";
import { benchDashboard } from "./dashboard.js";
import { benchObserve } from "./observe.js";

const ROOT = process.cwd();
const CLI = path.join(ROOT, "dist/cli/bin.js");
const DETECT_N = Number(process.env.BENCH_DETECT_N ?? 200);
const RATIO_N = Number(process.env.BENCH_RATIO_N ?? 20);
const FLOW_N = Number(process.env.BENCH_FLOW_N ?? 200);
const CLI_N = Number(process.env.BENCH_CLI_N ?? 30);

const REPLY = {
  root_cause: "bench",
  technical_explanation: "bench",
  recommended_fixes: [],
  code_examples: [],
  additional_investigation: [],
  confidence: "low",
  patch: null,
};
const PROMPT_ISSUE = "Benchmark request: say nothing in particular.";

async function main(): Promise<void> {
  const rows: Row[] = [];
  if (!process.env.BENCH_SKIP_DELEGATION) rows.push(...(await benchDelegation()));
  if (!process.env.BENCH_SKIP_CLIENT) rows.push(...(await benchClient()));
  if (!process.env.BENCH_SKIP_COSTS) rows.push(...(await benchDaemonCosts()));
  if (!process.env.BENCH_SKIP_TRANSCRIPTS) rows.push(...(await benchTranscripts()));
  if (!process.env.BENCH_SKIP_GATEWAY) rows.push(...(await benchGateway()));
  if (!process.env.BENCH_SKIP_PATCH) rows.push(...(await benchPatchPool()), ...(await benchPatchFlow()));
  if (!process.env.BENCH_SKIP_OBSERVE) rows.push(...(await benchObserve()));
  if (!process.env.BENCH_SKIP_UI) rows.push(...(await benchDashboard()));
  printTable(rows);
}

// 1–4: the delegation loop through `codex-relay start`, and the CLI's start-up.
async function benchDelegation(): Promise<Row[]> {
  const server = await startModelServer();
  server.setDefault(jsonMessage(REPLY));
  const home = await makeCodexHome();
  const userHome = await mkdtemp(path.join(os.tmpdir(), "bench-home-"));
  const ws = await mkdtemp(path.join(os.tmpdir(), "bench-ws-"));
  const { inbox, staging } = await delegationWorkspace(ws, server.url);
  const env = { PATH: process.env.PATH ?? "", HOME: userHome, CODEX_HOME: home.dir, [MOCK_ENV_KEY]: MOCK_API_KEY };
  const rows: Row[] = [];

  // Launched as a user launches it: the executable itself, so its shebang's node flags apply.
  const launch = process.env.BENCH_PLAIN_NODE ? [process.execPath, [CLI, "start", "--quiet", "--workspace", ws]] as const : [CLI, ["start", "--quiet", "--workspace", ws]] as const;
  const daemon = execa(launch[0], [...launch[1]], { env, extendEnv: false, stdin: "ignore", reject: false });
  const logFile = path.join(ws, ".autonomous_runs/.relay/daemon.log.jsonl");
  const log = new LogReader(logFile);
  await waitFor(() => log.events().some((e) => e.event === "daemon started"), 20_000);
  await delay(1000);
  rows.push({ metric: "daemon idle RSS", value: `${mb(procStatus(daemon.pid!).rss)} MB`, target: "≤ 60 MB" });

  let seq = 0;
  const nextId = () => {
    seq += 1;
    return `20990101_000000_${seq}`;
  };
  const drop = async (id: string) => {
    const tmp = path.join(staging, `${id}.md`);
    await writeFile(tmp, `## Issue\n${PROMPT_ISSUE} (${id})\n`);
    const at = Date.now();
    await rename(tmp, path.join(inbox, `CODEX_DELEGATION_REQUEST_${id}.md`));
    return at;
  };
  const resultOf = (id: string) => path.join(inbox, `CODEX_DELEGATION_RESULT_${id}.json`);

  // 1. Detection latency: rename → Codex spawned, one request at a time on an idle daemon.
  const dropped = new Map<string, number>();
  for (let i = 0; i < DETECT_N; i += 1) {
    const id = nextId();
    dropped.set(id, await drop(id));
    await settled(log, id);
  }
  const timeOf = (event: string) => new Map(log.events().filter((e) => e.event === event).map((e) => [e.id as string, Date.parse(e.at as string)]));
  const since = (event: string) => {
    const times = timeOf(event);
    return [...dropped].map(([id, at]) => (times.get(id) ?? NaN) - at).filter(Number.isFinite);
  };
  const latencies = since("codex started");
  rows.push({ metric: "rename → detected p50", value: `${pct(since("detected"), 50)} ms`, target: "" });
  rows.push({ metric: "rename → claimed p50", value: `${pct(since("claimed"), 50)} ms`, target: "" });
  rows.push({ metric: `detection → spawn p50 (n=${latencies.length})`, value: `${pct(latencies, 50)} ms`, target: "" });
  rows.push({ metric: "detection → spawn p99", value: `${pct(latencies, 99)} ms`, target: "≤ 25 ms" });

  // 2. End-to-end through the daemon vs raw `codex exec` of the same prompt, alternating.
  const raw: number[] = [];
  const relayed: number[] = [];
  const schema = path.join(ws, ".autonomous_runs/.relay/analysis.schema.json"); // written by the daemon (invoke-codex.ts)
  const rawArgs = (prompt: string) => [
    "exec", "--json", "-s", "read-only", "-C", ws, "--output-schema", schema, "-m", "gpt-5.5", "--skip-git-repo-check",
    ...codexProviderOverrides({ url: server.url }).flatMap((v) => ["-c", v]), "--", prompt,
  ];
  for (let i = 0; i < RATIO_N; i += 1) {
    const id = nextId();
    const t0 = performance.now();
    await drop(id);
    await waitFor(() => existsSync(resultOf(id)), 30_000, 2);
    relayed.push(performance.now() - t0);
    await settled(log, id);
    const prompt = await readPromptSentFor(server, id);
    const t1 = performance.now();
    const direct = await execa(codexBinary(), rawArgs(prompt), { env, extendEnv: false, stdin: "ignore", reject: false });
    raw.push(performance.now() - t1);
    // A failing raw run is fast: timing it would flatter nothing but the ratio.
    if (direct.exitCode !== 0) throw new Error(`bench: raw codex exec failed (exit ${direct.exitCode}): ${String(direct.stderr).slice(-800)}`);
    await delay(20);
  }
  rows.push({ metric: `raw codex exec median (n=${RATIO_N})`, value: `${pct(raw, 50)} ms`, target: "" });
  rows.push({ metric: "through the daemon median", value: `${pct(relayed, 50)} ms`, target: "" });
  rows.push({ metric: "daemon / raw codex exec", value: (pct(relayed, 50) / pct(raw, 50)).toFixed(3), target: "≤ 1.10" });

  // 3. Peak RSS while FLOW_N requests flow (VmHWM of the daemon's own process, Codex excluded).
  const flow: string[] = [];
  for (let i = 0; i < FLOW_N; i += 1) {
    const id = nextId();
    flow.push(id);
    await drop(id);
  }
  await waitFor(() => flow.every((id) => existsSync(resultOf(id))), 600_000, 50);
  rows.push({ metric: `daemon peak RSS (${FLOW_N} requests)`, value: `${mb(procStatus(daemon.pid!).hwm)} MB`, target: "≤ 100 MB" });
  daemon.kill("SIGTERM");
  await daemon;

  // 4. `delegate` and the Claude Code hook start-to-exit, against `node -e 0`, interleaved.
  const nodeRuns: number[] = [];
  const delegateRuns: number[] = [];
  const hookRuns: number[] = [];
  const hookPhraseRuns: number[] = [];
  // A workspace in use for months: 1,000 answered asks from earlier sessions, which a prompt must not read.
  const HISTORY = 1000;
  const records = path.join(ws, ".autonomous_runs/.relay/hook-requests");
  await mkdir(records, { recursive: true });
  for (let i = 0; i < HISTORY; i += 1) {
    const record = { id: `20250101_000000_${i}`, session_id: `old-session-${i % 50}`, transcript: null, issue: `old issue ${i}`, created_at: new Date(Date.now() - 86_400_000).toISOString(), by: "hook", said_at: null, utterance: null };
    await writeFile(path.join(records, `${i.toString(16).padStart(64, "0")}.json`), `${JSON.stringify(record)}\n`);
  }
  const hookInput = (prompt: string) => JSON.stringify({ session_id: "bench", transcript_path: path.join(ws, "t.jsonl"), cwd: ws, hook_event_name: "UserPromptSubmit", prompt });
  const timed = async (runs: number[], run: () => Promise<unknown>) => {
    const t = performance.now();
    await run();
    runs.push(performance.now() - t);
  };
  for (let i = 0; i < CLI_N; i += 1) {
    await timed(nodeRuns, () => execa(process.execPath, ["-e", "0"], { env, extendEnv: false }));
    await timed(delegateRuns, () => execa(CLI, ["delegate", "--workspace", ws, "--issue", `bench ${i}`, "--files", "README.md"], { env, extendEnv: false }));
    await timed(hookRuns, () => execa(CLI, ["hook", "claude-code"], { env, extendEnv: false, input: hookInput(`just a question ${i}`) }));
    await timed(hookPhraseRuns, () => execa(CLI, ["hook", "claude-code"], { env, extendEnv: false, input: hookInput(`DELEGATE TO CODEX: bench hook ${i}`) }));
  }
  rows.push({ metric: "node -e 0 median", value: `${pct(nodeRuns, 50)} ms`, target: "" });
  rows.push({ metric: "delegate start-to-exit median", value: `${pct(delegateRuns, 50)} ms`, target: "≤ 120 ms" });
  rows.push({ metric: `hook claude-code, no phrase, median (${HISTORY} earlier asks on record)`, value: `${pct(hookRuns, 50)} ms`, target: "≤ 120 ms" });
  rows.push({ metric: `hook claude-code, with phrase, median (${HISTORY} earlier asks on record)`, value: `${pct(hookPhraseRuns, 50)} ms`, target: "≤ 120 ms" });

  await server.close();
  await home.cleanup();
  await rm(ws, { recursive: true, force: true });
  await rm(userHome, { recursive: true, force: true });
  return rows;
}

async function readPromptSentFor(server: Awaited<ReturnType<typeof startModelServer>>, id: string): Promise<string> {
  const request = [...server.requests].reverse().find((r) => r.text.includes(`Delegation ${id}`));
  const text = request?.text ?? PROMPT_ISSUE;
  const start = text.indexOf("You are the Auditor");
  return start === -1 ? text : text.slice(start);
}

/** The previous request fully done, audit commit included: measure each request on a quiet daemon. */
async function settled(log: LogReader, id: string): Promise<void> {
  await waitFor(() => log.events().some((e) => e.id === id && String(e.event).startsWith("audit")), 30_000);
  await delay(20);
}

function printTable(rows: Row[]): void {
  const w = [Math.max(...rows.map((r) => r.metric.length), 6), Math.max(...rows.map((r) => r.value.length), 5), 8];
  const line = (a: string, b: string, c: string) => `| ${a.padEnd(w[0]!)} | ${b.padStart(w[1]!)} | ${c.padEnd(w[2]!)} |`;
  process.stdout.write(`\ncodex-relay bench (${os.cpus().length} cores, node ${process.version}, ${new Date().toISOString().slice(0, 10)})\n\n`);
  process.stdout.write(`${line("metric", "value", "target")}\n|${"-".repeat(w[0]! + 2)}|${"-".repeat(w[1]! + 2)}|${"-".repeat(w[2]! + 2)}|\n`);
  for (const r of rows) process.stdout.write(`${line(r.metric, r.value, r.target)}\n`);
}

await main();

// 5. Transcript watching (issue #4): the initial scan of a ~200 MB Claude Code session read whole
// (`--from-start`), append → request-file latency through `codex-relay start` (approval required,
// so Codex never runs and only the transcript path is measured), and what one append costs in a
// 1 MB against a 500 MB session (append → the watcher's read of it, in process).
async function benchTranscripts(): Promise<Row[]> {
  const { createRelayContext } = await import("../src/context/relay-context.js");
  const { TranscriptWatcher } = await import("../src/transcripts/transcript-watcher.js");
  const { watch: watchFs } = await import("node:fs");
  const { appendFile: append, open: openFile, stat: statFile } = await import("node:fs/promises");
  const n = Number(process.env.BENCH_TRANSCRIPT_N ?? 100);
  const rows: Row[] = [];
  const root = await mkdtemp(path.join(os.tmpdir(), "bench-transcripts-"));
  const home = path.join(root, "home");
  const project = path.join(home, ".claude/projects/-bench");
  await mkdir(project, { recursive: true });
  let uuid = 0;
  const record = (type: "user" | "assistant", content: unknown) =>
    `${JSON.stringify({ parentUuid: null, isSidechain: false, userType: "external", cwd: "/bench", sessionId: "bench", version: "2.1.144", type, message: type === "user" ? { role: "user", content } : { model: "claude-opus-4-6", id: "msg_1", type: "message", role: "assistant", content }, uuid: `u-${(uuid += 1)}`, timestamp: new Date().toISOString() })}\n`;
  // One ~1 MB block of an ordinary session: prompts, replies, tool calls and big tool results.
  const block = Buffer.from(
    Array.from({ length: 20 }, (_, i) =>
      record("user", `step ${i}: please look at src/module-${i}.ts`) +
      record("assistant", [{ type: "text", text: `Reading src/module-${i}.ts. ${"lorem ipsum ".repeat(200)}` }, { type: "tool_use", id: `t${i}`, name: "Read", input: { file_path: `/bench/src/module-${i}.ts` } }]) +
      record("user", [{ tool_use_id: `t${i}`, type: "tool_result", content: `${"const x = 1; // code\n".repeat(2200)}` }]),
    ).join(""),
  );
  const generate = async (file: string, bytes: number, tail = "") => {
    const handle = await openFile(file, "w");
    try {
      for (let blocks = Math.max(1, Math.round(bytes / block.length)); blocks > 0; blocks -= 1) await handle.write(block);
      if (tail) await handle.write(tail);
      await handle.sync(); // no writeback of the generated bytes competing with what is measured
    } finally {
      await handle.close();
    }
    return (await statFile(file)).size;
  };
  const workspace = async (name: string, toml: string) => {
    const dir = path.join(root, name);
    await mkdir(dir, { recursive: true });
    execFileSync("git", ["init", "-q", dir]);
    await writeFile(path.join(dir, "codex-relay.toml"), toml);
    return dir;
  };
  const phrase = (text: string) => record("user", `DELEGATE TO CODEX: ${text}`);
  const env = { PATH: process.env.PATH ?? "", HOME: home };

  try {
    // 5a. initial scan, --from-start semantics: every byte read and searched once
    const big = path.join(project, "initial-scan.jsonl");
    const size = await generate(big, 200 * 1024 * 1024, phrase("found by the initial scan"));
    const scanWs = await workspace("scan", `[transcripts]\npaths = [${JSON.stringify(big)}]\n`);
    const scanCtx = await createRelayContext({ workspace: scanWs, env });
    const scanner = new TranscriptWatcher(scanCtx, { fromStart: true });
    let requested = 0;
    scanner.on("request", () => (requested += 1));
    const t0 = performance.now();
    await scanner.start(); // resolves once every transcript has been read to its end
    const seconds = (performance.now() - t0) / 1000;
    await scanner.close();
    await rm(big);
    rows.push({ metric: `transcript initial scan (${mb(size)} MB, ${requested} request)`, value: `${(size / 1024 / 1024 / seconds).toFixed(0)} MB/s`, target: "" });

    // 5b. append → request file, through the daemon
    const session = path.join(project, "latency.jsonl");
    await writeFile(session, record("user", "hello"));
    const daemonWs = await workspace("latency", `[transcripts]\npaths = [${JSON.stringify(session)}]\n[approval]\nrequired = true\n[audit]\nenabled = false\n`);
    const inbox = path.join(daemonWs, ".autonomous_runs/codex_delegations");
    await mkdir(inbox, { recursive: true });
    const seenAt = new Map<string, number>();
    const inboxWatch = watchFs(inbox, (_event, name) => {
      if (name && String(name).startsWith("CODEX_DELEGATION_REQUEST_") && !seenAt.has(String(name))) seenAt.set(String(name), performance.now());
    });
    const daemon = execa(CLI, ["start", "--quiet", "--workspace", daemonWs], { env, extendEnv: false, stdin: "ignore", reject: false });
    const daemonLog = path.join(daemonWs, ".autonomous_runs/.relay/daemon.log.jsonl");
    await waitFor(() => existsSync(daemonLog) && readFileSync(daemonLog, "utf8").includes("daemon started"), 20_000);
    const latencies: number[] = [];
    for (let i = 0; i < n; i += 1) {
      const line = phrase(`latency sample ${i}`);
      const before = seenAt.size;
      const t = performance.now();
      await append(session, line);
      await waitFor(() => seenAt.size > before, 10_000, 1);
      latencies.push([...seenAt.values()].pop()! - t);
      await delay(10);
    }
    inboxWatch.close();
    daemon.kill("SIGTERM");
    await daemon;
    rows.push({ metric: `transcript append → request p50 (n=${n})`, value: `${pct(latencies, 50)} ms`, target: "" });
    rows.push({ metric: "transcript append → request p99", value: `${pct(latencies, 99)} ms`, target: "" });

    // 5c. one append to a 1 MB and to a 500 MB session: append → the watcher has read it
    const small = path.join(project, "one-mb.jsonl");
    const huge = path.join(project, "five-hundred-mb.jsonl");
    await generate(small, 1024 * 1024);
    const hugeSize = await generate(huge, 500 * 1024 * 1024);
    const costWs = await workspace("cost", `[transcripts]\npaths = [${JSON.stringify(small)}, ${JSON.stringify(huge)}]\npoll_ms = 0\n`);
    const costCtx = await createRelayContext({ workspace: costWs, env });
    const tailer = new TranscriptWatcher(costCtx);
    const readTo = new Map<string, number>();
    tailer.on("read", (e) => readTo.set(e.transcript, e.to));
    await tailer.start();
    // Alternating between the two files, so that whatever else the machine does weighs on both alike.
    const samples = new Map<string, number[]>([[small, []], [huge, []]]);
    for (let i = 0; i < 40; i += 1) {
      const file = i % 2 === 0 ? small : huge;
      const line = record("assistant", [{ type: "text", text: `an ordinary reply ${i}` }]);
      const target = (await statFile(file)).size + Buffer.byteLength(line);
      const t = performance.now();
      await append(file, line);
      await waitFor(() => (readTo.get(file) ?? 0) >= target, 10_000, 1);
      samples.get(file)!.push(performance.now() - t);
      await delay(10);
    }
    const smallMs = pct(samples.get(small)!, 50);
    const hugeMs = pct(samples.get(huge)!, 50);
    await tailer.close();
    rows.push({ metric: "one append, 1 MB transcript (median)", value: `${smallMs} ms`, target: "" });
    rows.push({ metric: `one append, ${mb(hugeSize)} MB transcript (median)`, value: `${hugeMs} ms`, target: "" });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return rows;
}
