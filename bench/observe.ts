// `status` and `audit` over a workspace with 10,000 finished requests (issue 13), whole processes
// interleaved with `node -e 0`. The requests, RESULTs, event logs and ledger lines are generated
// directly (no Codex run), shaped like real ones: one in ten a patch with its ledger line, one in
// eight failed. Returns rows for bench/run.ts; never a test. BENCH_OBSERVE_N sets the runs of each
// command (default 10), BENCH_OBSERVE_REQUESTS the requests (default 10,000).
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { execa } from "execa";
import { layoutFor } from "../src/protocol/layout.js";
import { formatRequestId } from "../src/protocol/request-id.js";
import { renderRequest } from "../src/protocol/render-request.js";
import { buildResult } from "../src/report/result-file.js";
import { RelayError } from "../src/errors.js";
import { estimateCostUsd } from "../src/config/prices.js";
import { pct, type Row } from "./bench-kit.js";

const N = Number(process.env.BENCH_OBSERVE_N ?? 10);
const REQUESTS = Number(process.env.BENCH_OBSERVE_REQUESTS ?? 10_000);
const CLI = path.join(process.cwd(), "dist/cli/bin.js");
const PRICES = { "*": { input: 1.25, cached_input: 0.125, output: 10 } };
const usage = (i: number) => ({ input_tokens: 1200 + (i % 500), cached_input_tokens: 400, output_tokens: 300 + (i % 90), reasoning_output_tokens: 60 });

export async function benchObserve(): Promise<Row[]> {
  const ws = await mkdtemp(path.join(os.tmpdir(), "bench-observe-"));
  execFileSync("git", ["init", "-q", ws]);
  await writeFile(path.join(ws, "codex-relay.toml"), '[budget.prices]\n"*" = { input = 1.25, cached_input = 0.125, output = 10.0 }\n');
  await generate(ws, REQUESTS);
  const env = { PATH: process.env.PATH ?? "", HOME: ws };
  const runs: Record<string, number[]> = { node: [], status: [], statusAll: [], audit: [], auditJson: [] };
  const timed = async (key: string, file: string, args: string[]) => {
    const t = performance.now();
    const run = await execa(file, args, { env, extendEnv: false, stdin: "ignore", reject: false });
    runs[key]!.push(performance.now() - t);
    if (run.exitCode !== 0) throw new Error(`bench: ${args.join(" ")} exited ${run.exitCode}: ${String(run.stderr).slice(-400)}`);
  };
  for (let i = 0; i < N; i += 1) {
    await timed("node", process.execPath, ["-e", "0"]);
    await timed("status", process.execPath, [CLI, "status", "--workspace", ws]);
    await timed("statusAll", process.execPath, [CLI, "status", "--limit", "0", "--json", "--workspace", ws]);
    await timed("audit", process.execPath, [CLI, "audit", "--workspace", ws]);
    await timed("auditJson", process.execPath, [CLI, "audit", "--json", "--since", "7d", "--workspace", ws]);
  }
  await rm(ws, { recursive: true, force: true });
  const n = REQUESTS.toLocaleString("en-US");
  return [
    { metric: `node -e 0 median (n=${N})`, value: `${pct(runs.node!, 50)} ms`, target: "" },
    { metric: `status start-to-exit median, ${n} finished requests (newest 50 shown)`, value: `${pct(runs.status!, 50)} ms`, target: "≤ 300 ms" },
    { metric: `status --limit 0 --json median, all ${n}`, value: `${pct(runs.statusAll!, 50)} ms`, target: "" },
    { metric: `audit start-to-exit median, ${n} finished requests`, value: `${pct(runs.audit!, 50)} ms`, target: "≤ 1 s" },
    { metric: `audit --json --since 7d median, ${n} finished requests`, value: `${pct(runs.auditJson!, 50)} ms`, target: "≤ 1 s" },
  ];
}

/** `count` finished requests over the last 30 days: request, RESULT pair, event log; ledger lines for the patches. */
export async function generate(ws: string, count: number): Promise<void> {
  const layout = layoutFor(ws);
  await mkdir(layout.inbox, { recursive: true });
  await mkdir(layout.progress, { recursive: true });
  const now = Date.now();
  const ledger: string[] = [];
  const writes: Promise<void>[] = [];
  for (let i = 0; i < count; i += 1) {
    const detected = new Date(now - 30 * 86_400_000 + Math.floor((i * 30 * 86_400_000) / count));
    const id = formatRequestId(detected, i % 3 === 0 ? 0 : (i % 3) + 1);
    const kind = i % 10 === 0 ? "patch" : i % 10 === 1 ? "diagnose" : "analysis";
    const failed = i % 8 === 0;
    const started = new Date(detected.getTime() + 12);
    const finished = new Date(started.getTime() + 2000 + (i % 97) * 40);
    const result = buildResult({
      id,
      kind,
      status: failed ? "failed" : "completed",
      analysis: failed ? null : { root_cause: `Root cause ${i}: the limiter wraps the route before the parameter exists.`, technical_explanation: "x".repeat(600), recommended_fixes: [{ priority: 1, title: "Fix it", details: "y".repeat(300), files: [`src/file-${i % 40}.ts`], code: null }], code_examples: [], additional_investigation: ["check middleware order"], confidence: (["high", "medium", "low"] as const)[i % 3]! },
      warnings: [],
      error: failed ? new RelayError(i % 16 === 0 ? "codex_unreachable" : "invalid_reply", "generated failure") : null,
      codex: { version: "0.169.0", bin: "codex", model: "gpt-5.5", thread_id: `thread-${i}`, sandbox: "read-only", exit_code: 0 },
      // As a RESULT written with this price table carries it.
      usage: { ...usage(i), cost_usd: estimateCostUsd(usage(i), "gpt-5.5", PRICES) },
      detectedAt: detected,
      startedAt: started,
      codexMs: finished.getTime() - started.getTime() - 5,
      finishedAt: finished,
    });
    const request = renderRequest({ kind, issue: `Generated issue ${i}: /runs/start answers 500 with no traceback`, files: [`src/file-${i % 40}.ts`], requestedBy: "bench", createdAt: detected });
    writes.push(
      writeFile(layout.request(id), request),
      writeFile(layout.result(id, "json"), `${JSON.stringify(result, null, 2)}\n`),
      writeFile(layout.result(id, "md"), `# RESULT ${id}\n\n${result.summary}\n`),
      writeFile(layout.log(id), '{"type":"thread.started"}\n{"type":"turn.completed"}\n'),
    );
    if (kind === "patch") {
      ledger.push(JSON.stringify({ skill: "codex-patch-rw", timestamp: started.toISOString(), input: "out/codex-diagnosis.md", output: "out/codex-patch.md", files_modified: [`src/file-${i % 40}.ts`], lines_changed: 4, verification_passed: !failed, commit: failed ? null : "0".repeat(40), next_skill: "qa-gate", id, status: failed ? "failed" : "passed", branch: failed ? null : `codex/patch-${id}`, failed_ref: null, attempts: i % 20 === 0 ? 2 : 1, limits_hit: [], overlap: [] }));
    }
    if (writes.length >= 400) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  await writeFile(layout.ledger, `${ledger.join("\n")}\n`);
}
