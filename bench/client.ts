// The waiting client as a user sees it (issue 9): whole processes against a serving daemon and the
// instant local model — `delegate --wait` alternating with a raw `codex exec` of the same prompt,
// `wait`/`show` of a finished request against `node -e 0`, and the client's own CPU (with and
// without the daemon's config cache). Returns rows for bench/run.ts; never a test.
// BENCH_CLIENT_N sets the number of pairs and runs (default 15).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { execa } from "execa";
import { codexBinary, codexProviderOverrides, makeCodexHome, MOCK_API_KEY, MOCK_ENV_KEY } from "../tests/fixtures/codex-home.js";
import { execCommand, jsonMessage, startModelServer } from "../tests/fixtures/model-server.js";
import { LogReader, median, waitFor, workspaceToml, type Row } from "./bench-kit.js";

const N = Number(process.env.BENCH_CLIENT_N ?? 15);
const CLI = path.join(process.cwd(), "dist/cli/bin.js");
const REPLY = { root_cause: "bench", technical_explanation: "bench", recommended_fixes: [], code_examples: [], additional_investigation: [], confidence: "low", patch: null };
/** How long the model holds its reply for the "CPU while waiting" sample. */
const SLOW_REPLY_MS = 2000;

// Preloaded into each client: its own user+system CPU (µs resolution, unlike /proc's ticks),
// written where the bench reads it once the process exits.
const USAGE_HOOK = `import { writeFileSync } from "node:fs";
process.on("exit", () => { const u = process.resourceUsage(); writeFileSync(process.env.BENCH_USAGE_FILE, String(u.userCPUTime + u.systemCPUTime)); });
`;

export async function benchClient(): Promise<Row[]> {
  const server = await startModelServer();
  server.setDefault(jsonMessage(REPLY));
  const home = await makeCodexHome();
  const root = await mkdtemp(path.join(os.tmpdir(), "bench-client-"));
  const ws = path.join(root, "ws");
  await mkdir(path.join(ws, ".autonomous_runs/codex_delegations"), { recursive: true });
  execFileSync("git", ["init", "-q", ws]);
  await writeFile(path.join(ws, "codex-relay.toml"), workspaceToml(server.url));
  const hook = path.join(root, "usage-hook.mjs");
  const usageFile = path.join(root, "usage");
  await writeFile(hook, USAGE_HOOK);
  await mkdir(path.join(root, "home"));
  const env = { PATH: process.env.PATH ?? "", HOME: path.join(root, "home"), CODEX_HOME: home.dir, [MOCK_ENV_KEY]: MOCK_API_KEY };
  const daemon = execa(CLI, ["start", "--quiet", "--workspace", ws], { env, extendEnv: false, stdin: "ignore", reject: false });
  const log = new LogReader(path.join(ws, ".autonomous_runs/.relay/daemon.log.jsonl"));

  /** One whole client process: wall ms from the outside, CPU ms from the inside. */
  const client = async (args: string[]) => {
    const t = performance.now();
    const startedAt = Date.now();
    const run = await execa(CLI, args, { env: { ...env, NODE_OPTIONS: `--import=${hook}`, BENCH_USAGE_FILE: usageFile }, extendEnv: false, stdin: "ignore", reject: false });
    const wallMs = performance.now() - t;
    if (run.exitCode !== 0) throw new Error(`bench: codex-relay ${args[0]} exited ${run.exitCode}: ${String(run.stderr).slice(-800)}`);
    return { wallMs, startedAt, endedAt: Date.now(), cpuMs: Number(readFileSync(usageFile, "utf8")) / 1000, stdout: String(run.stdout) };
  };
  const wall = async (file: string, args: string[]) => {
    const t = performance.now();
    await execa(file, args, { env, extendEnv: false, stdin: "ignore" });
    return performance.now() - t;
  };
  /** The daemon has finished a request, audit commit included: each sample starts on a quiet daemon. */
  const settled = async (id: string) => {
    await waitFor(() => log.events().some((e) => e.id === id && String(e.event).startsWith("audit")), 30_000);
    await delay(20);
  };
  const delegate = (issue: string, wait: boolean) => client(["delegate", "--workspace", ws, "--issue", issue, ...(wait ? ["--wait", "--json"] : ["--json"])]);

  try {
    await waitFor(() => log.events().some((e) => e.event === "daemon started"), 20_000);
    const schema = path.join(ws, ".autonomous_runs/.relay/analysis.schema.json"); // written by the daemon for each analysis
    const overrides = codexProviderOverrides({ url: server.url }).flatMap((v) => ["-c", v]);
    const rawArgs = (prompt: string) => ["exec", "--json", "-s", "read-only", "-C", ws, "--output-schema", schema, "-m", "gpt-5.5", "--skip-git-repo-check", ...overrides, "--", prompt];
    await settled(JSON.parse((await delegate("warm-up", true)).stdout).id as string);

    // 1. `delegate --wait` against a raw `codex exec` of the prompt the daemon sent, pair by pair.
    const relayed: number[] = [];
    const raw: number[] = [];
    const waitingCpu: number[] = [];
    // Where a `delegate --wait` spends its time (epoch ms; file times and the daemon's log).
    const split = { publish: [] as number[], detect: [] as number[], overhead: [] as number[], codex: [] as number[], exit: [] as number[] };
    const layoutFile = (name: string) => path.join(ws, ".autonomous_runs/codex_delegations", name);
    for (let i = 0; i < N; i += 1) {
      const run = await delegate(`client bench ${i}`, true);
      const id = JSON.parse(run.stdout).id as string;
      relayed.push(run.wallMs);
      waitingCpu.push(run.cpuMs);
      await settled(id);
      const at = (event: string) => Date.parse(String(log.events().find((e) => e.id === id && e.event === event)?.at));
      const published = statSync(layoutFile(`CODEX_DELEGATION_REQUEST_${id}.md`)).mtimeMs;
      const resultAt = statSync(layoutFile(`CODEX_DELEGATION_RESULT_${id}.json`)).mtimeMs;
      const codexMs = Number(log.events().find((e) => e.id === id && e.event === "codex finished")?.ms);
      split.publish.push(published - run.startedAt);
      split.detect.push(at("detected") - published);
      split.overhead.push(resultAt - at("detected") - codexMs);
      split.codex.push(codexMs);
      split.exit.push(run.endedAt - resultAt);
      const sent = [...server.requests].reverse().find((r) => r.text.includes(`Delegation ${id}`))?.text ?? "";
      const prompt = sent.slice(Math.max(0, sent.indexOf("You are the Auditor")));
      raw.push(await wall(codexBinary(), rawArgs(prompt)));
      await delay(20);
    }

    // 2. The same client's CPU with nothing to wait for (publish only), and while Codex takes 2 s.
    const publishCpu: number[] = [];
    for (let i = 0; i < Math.min(N, 10); i += 1) {
      const run = await delegate(`publish only ${i}`, false);
      publishCpu.push(run.cpuMs);
      await settled(JSON.parse(run.stdout).id as string);
    }
    const slowCpu: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      server.enqueue({ ...jsonMessage(REPLY), delayMs: SLOW_REPLY_MS });
      const run = await delegate(`slow reply ${i}`, true);
      slowCpu.push(run.cpuMs);
      await settled(JSON.parse(run.stdout).id as string);
    }

    // A request that takes steps (five commands, then the answer, 2.1 s): the client follows each one.
    const busyCpu: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      for (let n = 0; n < 5; n += 1) server.enqueue({ ...execCommand(`cat file${n}.txt`), delayMs: 300 });
      server.enqueue({ ...jsonMessage(REPLY), delayMs: 600 });
      const run = await delegate(`busy reply ${i}`, true);
      busyCpu.push(run.cpuMs);
      await settled(JSON.parse(run.stdout).id as string);
    }

    // 3. `wait` and `show` of a finished request against `node -e 0`, interleaved.
    const finished = JSON.parse((await delegate("finished", true)).stdout).id as string;
    const node: number[] = [];
    const waitRuns: number[] = [];
    const showRuns: number[] = [];
    for (let i = 0; i < N; i += 1) {
      node.push(await wall(process.execPath, ["-e", "0"]));
      waitRuns.push(await wall(CLI, ["wait", finished, "--workspace", ws]));
      showRuns.push(await wall(CLI, ["show", finished, "--workspace", ws]));
    }

    // 4. Publish only again, without the daemon's config cache (a toml edited since the daemon
    // started): the client checks codex-relay.toml itself, zod and smol-toml loaded.
    await rm(path.join(ws, ".autonomous_runs/.relay/config-cache.json"), { force: true });
    const uncachedCpu: number[] = [];
    for (let i = 0; i < Math.min(N, 10); i += 1) {
      const run = await delegate(`publish only, no config cache ${i}`, false);
      uncachedCpu.push(run.cpuMs);
      await settled(JSON.parse(run.stdout).id as string);
    }

    const ms = (v: number) => `${v.toFixed(1)} ms`;
    const nodeMs = median(node);
    return [
      { metric: `client: raw codex exec median (n=${N} pairs, daemon serving)`, value: ms(median(raw)), target: "" },
      { metric: "client: delegate --wait median", value: ms(median(relayed)), target: "" },
      { metric: "client: delegate --wait / raw codex exec", value: (median(relayed) / median(raw)).toFixed(2), target: "≤ 1.15" },
      { metric: "client: node -e 0 median", value: ms(nodeMs), target: "" },
      { metric: "client split: client start → request published, median", value: ms(median(split.publish)), target: "" },
      { metric: "client split: published → daemon detected, median", value: ms(median(split.detect)), target: "" },
      { metric: "client split: daemon overhead (detected → RESULT, Codex excluded), median", value: ms(median(split.overhead)), target: "" },
      { metric: "client split: Codex in the daemon, median (raw codex exec above)", value: ms(median(split.codex)), target: "" },
      { metric: "client split: RESULT written → client exited, median", value: ms(median(split.exit)), target: "" },
      { metric: "client: wait, finished request, median", value: `${ms(median(waitRuns))} (${(median(waitRuns) / nodeMs).toFixed(1)}× node)`, target: "≤ 2× node" },
      { metric: "client: show, finished request, median", value: `${ms(median(showRuns))} (${(median(showRuns) / nodeMs).toFixed(1)}× node)`, target: "≤ 2× node" },
      { metric: "client CPU: delegate (publish only) median", value: ms(median(publishCpu)), target: "" },
      { metric: "client CPU: delegate (publish only), no config cache, median", value: ms(median(uncachedCpu)), target: "" },
      { metric: "client CPU: delegate --wait median", value: ms(median(waitingCpu)), target: "" },
      { metric: `client CPU: delegate --wait, ${SLOW_REPLY_MS / 1000} s reply, median`, value: ms(median(slowCpu)), target: "" },
      { metric: "client CPU beyond start-up (delegate --wait − publish only)", value: ms(median(waitingCpu) - median(publishCpu)), target: "≤ 20 ms" },
      { metric: "client CPU beyond start-up, following 6 steps over 2.1 s", value: ms(median(busyCpu) - median(publishCpu)), target: "≤ 20 ms" },
    ];
  } finally {
    daemon.kill("SIGTERM");
    await daemon;
    await server.close();
    await home.cleanup();
    if (existsSync(root)) await rm(root, { recursive: true, force: true });
  }
}
