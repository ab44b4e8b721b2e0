// Issue #3's patch figures through the real daemon (`codex-relay start`), on a generated
// repository of 20,000 files (~100 MB) holding a tiny Node package whose add() subtracts: how
// long the daemon takes to warm its sandbox pool in the background after start (issue #9), the
// first patch after that and the later ones end to end, the pipeline's own overhead beyond Codex and
// verification, the warm sandbox preparation, and the daemon's peak RSS while it patches. The
// scripted model makes the real codex fix the bug each time; between patches the Builder commits
// the bug back (with a new first line), so every patch has work to do and its base moves.
// Prints nothing; returns rows for bench/run.ts, and throws when any patch did not complete.
import { existsSync, watch } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { execa, type ResultPromise } from "execa";
import { runGit } from "../src/git/run-git.js";
import { layoutFor, type Layout } from "../src/protocol/layout.js";
import { publishRequest } from "../src/protocol/publish-request.js";
import { createRedactor } from "../src/security/redact.js";
import { renderRequest } from "../src/protocol/render-request.js";
import { makeCodexHome, MOCK_API_KEY, MOCK_ENV_KEY } from "../tests/fixtures/codex-home.js";
import { startModelServer } from "../tests/fixtures/model-server.js";
import { BUGGY, DIAGNOSIS, fixReplies, ROUTE_DECISION, TASK_PACKET, TEST_JS } from "../tests/fixtures/patch-project.js";
import { LogReader, mb, median, procStatus, waitFor, workspaceToml, type LogEvent, type Row } from "./bench-kit.js";
import { generateRepository, IDENTITY } from "./patch-pool.js";

const PATCHES = Number(process.env.BENCH_PATCH_N ?? 6);
const CLI = path.join(process.cwd(), "dist/cli/bin.js");
const RSS_POLL_MS = 20;
const PATCH_TIMEOUT_MS = 300_000;


export async function benchPatchFlow(): Promise<Row[]> {
  if (!Number.isInteger(PATCHES) || PATCHES < 2) throw new Error(`bench: BENCH_PATCH_N must be a whole number ≥ 2 (one cold patch, then warm ones), got ${PATCHES}`);
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-flow-"));
  const server = await startModelServer();
  const codexHome = await makeCodexHome();
  let daemon: ResultPromise | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    const ws = path.join(work, "repo");
    // The daemon's default worktree root is $HOME/.local/state/…: inside `work`, so it goes with it.
    const userHome = path.join(work, "home");
    await mkdir(userHome);
    const bytes = await generateRepository(ws);
    const git = (args: string[]) => runGit(args, { cwd: ws, env: IDENTITY, timeoutMs: 600_000 });
    await mkdir(path.join(ws, "src"));
    await writeFile(path.join(ws, "src/math.js"), BUGGY);
    await writeFile(path.join(ws, "test.js"), TEST_JS);
    await writeFile(path.join(ws, "package.json"), `${JSON.stringify({ name: "demo", type: "module", private: true, scripts: { test: "node test.js" } }, null, 2)}\n`);
    await writeFile(path.join(ws, ".gitignore"), "node_modules/\n.autonomous_runs/\n");
    await git(["add", "--", "src/math.js", "test.js", "package.json", ".gitignore"]);
    await git(["commit", "--quiet", "--no-verify", "-m", "demo package"]);
    await mkdir(path.join(ws, "progress"));
    await mkdir(path.join(ws, "out"));
    await writeFile(path.join(ws, "progress/TASK_PACKET.md"), TASK_PACKET);
    await writeFile(path.join(ws, "progress/ROUTE_DECISION.md"), ROUTE_DECISION);
    await writeFile(path.join(ws, "out/codex-diagnosis-20250101-000000.md"), DIAGNOSIS);
    await writeFile(path.join(ws, "codex-relay.toml"), workspaceToml(server.url, "[patch]\nauto_diagnose = false\nauto_patch = false\n"));
    const layout = layoutFor(ws);
    const log = new LogReader(layout.logFile);

    const env = { PATH: process.env.PATH ?? "", HOME: userHome, CODEX_HOME: codexHome.dir, [MOCK_ENV_KEY]: MOCK_API_KEY };
    // Launched as bench/run.ts launches it: the executable itself, so its shebang's node flags apply.
    const launch = process.env.BENCH_PLAIN_NODE ? ([process.execPath, [CLI, "start", "--quiet", "--workspace", ws]] as const) : ([CLI, ["start", "--quiet", "--workspace", ws]] as const);
    daemon = execa(launch[0], [...launch[1]], { env, extendEnv: false, stdin: "ignore", reject: false });
    const pid = daemon.pid;
    if (pid === undefined) throw new Error("bench: codex-relay start did not spawn");
    await waitFor(() => log.events().some((e) => e.event === "daemon started"), 20_000, 20, () => `the daemon to start (exit code ${daemon?.exitCode ?? "none yet"})`);
    // The task packet is there, so the daemon warms a slot once idle: the first patch comes after.
    await waitFor(() => log.events().some((e) => e.event === "sandbox pool warmed" || e.event === "sandbox pool warm-up failed"), 600_000, 20, () => "the sandbox pool to warm");
    const warmed = log.events().find((e) => e.event === "sandbox pool warmed");
    if (warmed?.cold !== true) throw new Error(`bench: expected the daemon to warm a new slot cold, got ${JSON.stringify(warmed ?? log.events().at(-1))}`);
    await delay(500);

    // The daemon's own process only: Codex, git and the verification commands are its children.
    const idleRss = procStatus(pid).rss;
    let peakRss = idleRss;
    sampler = setInterval(() => (peakRss = Math.max(peakRss, procStatus(pid).rss)), RSS_POLL_MS);
    const endToEnd: number[] = [];
    const ids: string[] = [];
    for (let round = 0; round < PATCHES; round += 1) {
      if (round > 0) {
        // The Builder puts the bug back in a new commit: the next patch has work to do on a new base.
        await writeFile(path.join(ws, "src/math.js"), `// bench round ${round}\n${BUGGY}`);
        await git(["commit", "--quiet", "--no-verify", "-m", `bench round ${round}: add() subtracts again`, "--", "src/math.js"]);
      }
      server.enqueue(...fixReplies());
      const markdown = renderRequest({ kind: "patch", issue: `Fix add() (bench round ${round})`, requestedBy: "bench", createdAt: new Date() });
      const { id, seenAt, startedAt } = await publishAndAwait(layout, markdown, PATCH_TIMEOUT_MS);
      ids.push(id);
      endToEnd.push(seenAt - startedAt);
      const result = JSON.parse(await readFile(layout.result(id, "json"), "utf8")) as { status?: string; error?: { code?: string; message?: string } | null; summary?: string };
      if (result.status !== "completed") {
        throw new Error(`bench: patch ${id} (round ${round}) ended ${result.status}: ${result.error?.code ?? ""} ${result.error?.message ?? result.summary ?? ""}`.trim());
      }
      // Measure each patch on a quiet daemon: its audit commit is the last thing it does.
      await waitFor(() => log.events().some((e) => e.id === id && String(e.event).startsWith("audit")), 60_000, 20, () => `the audit commit of ${id}`);
      await delay(50);
    }
    clearInterval(sampler);
    sampler = undefined;
    const hwm = procStatus(pid).hwm;

    const events = log.events();
    const of = (event: string, id: string) => events.find((e) => e.event === event && e.id === id);
    const num = (e: LogEvent | undefined, key: string) => {
      const value = e?.[key];
      if (typeof value !== "number") throw new Error(`bench: the daemon's log has no numeric "${key}" in ${JSON.stringify(e ?? null)}`);
      return value;
    };
    const finished = ids.map((id) => of("patch finished", id));
    for (const [i, e] of finished.entries()) {
      if (e?.status !== "passed") throw new Error(`bench: patch ${ids[i]} logged ${JSON.stringify(e ?? null)} instead of a passed "patch finished"`);
    }
    const ready = ids.map((id) => of("sandbox ready", id));
    if (ready.some((e) => e?.cold !== false)) {
      throw new Error(`bench: expected every patch to find a warm sandbox, got ${ready.map((e) => String(e?.cold)).join(", ")}`);
    }
    const overhead = finished.map((e) => num(e, "overhead_ms"));
    const prepare = ready.map((e) => num(e, "ms"));
    const codex = ids.map((id) => events.filter((e) => e.event === "codex finished" && e.id === id).reduce((sum, e) => sum + num(e, "ms"), 0));
    const verify = await Promise.all(ids.map(async (id) => reportTiming(ws, of("patch report written", id), "verification")));
    const attempts = finished.map((e) => num(e, "attempts"));
    const warm = (values: number[]) => values.slice(1);
    const n = PATCHES - 1;
    const retried = attempts.filter((a) => a > 1).length;
    return [
      { metric: `patch flow: sandbox pool warmed in the background after start (cold checkout, ${Math.round(bytes / 1e6)} MB repo)`, value: `${num(warmed, "ms")} ms`, target: "" },
      { metric: "patch flow: first patch after start end-to-end (pool warm)", value: `${Math.round(endToEnd[0]!)} ms`, target: "" },
      { metric: `patch flow: warm patch end-to-end median (n=${n})`, value: `${Math.round(median(warm(endToEnd)))} ms`, target: "" },
      { metric: "  of which Codex (warm median)", value: `${Math.round(median(warm(codex)))} ms`, target: "" },
      { metric: "  of which verification, baseline + patch (warm median)", value: `${Math.round(median(warm(verify)))} ms`, target: "" },
      { metric: `patch pipeline overhead median (warm, n=${n})`, value: `${Math.round(median(warm(overhead)))} ms`, target: "≤ 1500 ms" },
      { metric: "patch pipeline overhead, first patch after start (pool warm)", value: `${overhead[0]} ms`, target: "≤ 1500 ms" },
      { metric: `sandbox preparation median (warm, daemon, n=${n})`, value: `${Math.round(median(warm(prepare)))} ms`, target: "≤ 250 ms" },
      { metric: "sandbox preparation, first patch after start (daemon)", value: `${prepare[0]} ms`, target: "" },
      { metric: "daemon RSS before the first patch", value: `${mb(idleRss)} MB`, target: "" },
      { metric: `daemon peak RSS during ${PATCHES} patches${retried ? ` (${retried} repaired)` : ""}`, value: `${mb(peakRss)} MB`, target: "≤ 100 MB" },
      { metric: "daemon VmHWM after the patches (start-up included)", value: `${mb(hwm)} MB`, target: "" },
    ];
  } finally {
    if (sampler) clearInterval(sampler);
    if (daemon) {
      daemon.kill("SIGTERM"); // a no-op when it already ended
      await daemon;
    }
    // BENCH_PATCH_LOG=<file> keeps the daemon's log for a look at its per-step timestamps.
    const keep = process.env.BENCH_PATCH_LOG;
    if (keep) await copyFile(layoutFor(path.join(work, "repo")).logFile, keep).catch(() => undefined);
    await server.close();
    await codexHome.cleanup();
    await rm(work, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Publishes a request as `codex-relay patch` does and resolves when its RESULT json appears. */
async function publishAndAwait(layout: Layout, markdown: string, timeoutMs: number): Promise<{ id: string; startedAt: number; seenAt: number }> {
  let id: string | undefined;
  let seen: number | undefined;
  let check = (): void => undefined;
  // Watching before publishing: the RESULT is renamed into place, one event, timed when it lands.
  const watcher = watch(layout.inbox, () => check());
  try {
    const appeared = new Promise<void>((resolve) => {
      check = () => {
        if (id !== undefined && seen === undefined && existsSync(layout.result(id, "json"))) {
          seen = performance.now();
          resolve();
        }
      };
    });
    const startedAt = performance.now();
    id = await publishRequest(layout, markdown, new Date(), createRedactor({ env: {}, envNames: [] }));
    check();
    const poll = setInterval(check, 100); // in case the OS drops an event
    const timeout = new AbortController();
    try {
      const expired = delay(timeoutMs, undefined, { signal: timeout.signal }).then(() => {
        throw new Error(`bench: no RESULT for patch ${id} within ${timeoutMs} ms`);
      });
      expired.catch(() => undefined); // its abort below is not a failure
      await Promise.race([appeared, expired]);
    } finally {
      clearInterval(poll);
      timeout.abort();
    }
    return { id, startedAt, seenAt: seen! };
  } finally {
    watcher.close();
  }
}

/** One figure of the report's `**Timing**` line (e.g. "verification 123 ms"), in ms. */
async function reportTiming(ws: string, written: LogEvent | undefined, name: string): Promise<number> {
  if (typeof written?.file !== "string") throw new Error(`bench: no "patch report written" line with a file: ${JSON.stringify(written ?? null)}`);
  const text = await readFile(path.join(ws, written.file), "utf8");
  const match = new RegExp(`\\*\\*Timing\\*\\*:.*\\b${name} (\\d+) ms`).exec(text);
  if (!match) throw new Error(`bench: ${written.file} has no "${name} <n> ms" in its Timing line`);
  return Number(match[1]);
}

