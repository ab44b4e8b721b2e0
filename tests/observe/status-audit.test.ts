// `status` and `audit` against one workspace built by real runs (the real codex binary and the
// scripted model): a completed analysis, a failed one, a diagnosis, a passing patch, a patch that
// stays broken after its repair, one over its limits, and a request held for approval. Each audit
// figure is checked against the RESULTs and the ledger those runs wrote.
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonMessage } from "../fixtures/model-server.js";
import { DIAGNOSIS_REPLY, editFile, fixReplies, patchReply } from "../fixtures/patch-project.js";
import { createLease, releaseLease } from "../../src/util/lease.js";
import { git } from "../helpers/gitdir.js";
import { makePatchWorkspace, runKind } from "../helpers/patch-workspace.js";
import { analysisReply, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
const ids: Record<"analysis" | "badReply" | "diagnosis" | "patched" | "broken" | "overLimits" | "held", string> = {} as never;

// Prices for every model, so each RESULT carries usage.cost_usd; approval held, so a published request waits.
const TOML = `
[approval]
required = true

[budget.prices]
"*" = { input = 2.0, cached_input = 1.0, output = 8.0 }
`;

const DIAGNOSIS = { ...DIAGNOSIS_REPLY, confidence: "medium" };

beforeAll(async () => {
  ws = await makePatchWorkspace({ toml: TOML });
  ws.server.enqueue(jsonMessage(analysisReply()));
  ids.analysis = (await runKind(ws, "analysis", "Why does /runs/start answer 500?\nSecond line of context.")).id;
  ws.server.enqueue({ kind: "message", text: "this is not the JSON the schema asks for" });
  ids.badReply = (await runKind(ws, "analysis", "An analysis whose reply does not validate")).id;
  ws.server.enqueue(...fixReplies());
  ids.patched = (await runKind(ws, "patch", "Apply the fix")).id;
  ws.server.enqueue(
    editFile("src/math.js", "  return a - b;", "  return a * b;"),
    patchReply(),
    editFile("src/math.js", "  return a * b;", "  return a / b;"),
    patchReply(),
  );
  ids.broken = (await runKind(ws, "patch", "Apply the fix, badly")).id;
  ws.server.enqueue(editFile("src/math.js", "  return a - b;", "  return a + b;"), editFile("src/util.js", "export const one = 1;", "export const one = 1.0;"), patchReply());
  ids.overLimits = (await runKind(ws, "patch", "Apply the fix and more")).id;
  ws.server.enqueue(jsonMessage(DIAGNOSIS));
  ids.diagnosis = (await runKind(ws, "diagnose", "Why does add() fail?")).id;
  const held = await ws.cli(["delegate", "--issue", "Needs a person's yes first"]);
  expect(held.exitCode).toBe(0);
  ids.held = held.stdout.trim();
}, 240_000);

afterAll(async () => {
  await ws?.cleanup();
});

const results = () =>
  readdirSync(ws.layout.inbox)
    .filter((name) => /^CODEX_DELEGATION_RESULT_.*\.json$/.test(name))
    .map((name) => JSON.parse(readFileSync(path.join(ws.layout.inbox, name), "utf8")));

async function statusJson(...args: string[]): Promise<any[]> {
  const run = await ws.cli(["status", "--json", ...args]);
  expect(run.stderr).toBe("");
  expect(run.exitCode).toBe(0);
  return JSON.parse(run.stdout);
}

async function auditJson(...args: string[]): Promise<any> {
  const run = await ws.cli(["audit", "--json", ...args]);
  expect(run.stderr).toBe("");
  expect(run.exitCode).toBe(0);
  return JSON.parse(run.stdout);
}

/** Nearest-rank percentile, as the figures are defined. */
const nearestRank = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.ceil((p / 100) * values.length) - 1];

describe("status", () => {
  it("lists every request newest first with its state in words, issue, tokens and cost, and a patch's branch and commit", async () => {
    const records = await statusJson();
    expect(records.map((r) => r.id)).toEqual([ids.held, ids.diagnosis, ids.overLimits, ids.broken, ids.patched, ids.badReply, ids.analysis]);
    const byId = Object.fromEntries(records.map((r) => [r.id, r]));
    expect(byId[ids.held]).toMatchObject({ kind: "analysis", state: "awaiting_approval", stateText: "awaiting approval", awaiting: "approve_marker", finished: false, issue: "Needs a person's yes first", tokens: null });
    expect(byId[ids.analysis]).toMatchObject({ kind: "analysis", state: "completed", stateText: "completed", issue: "Why does /runs/start answer 500?", confidence: "high" });
    expect(byId[ids.badReply]).toMatchObject({ state: "failed", stateText: "failed: invalid_reply", error: { code: "invalid_reply" } });
    expect(byId[ids.diagnosis]).toMatchObject({ kind: "diagnose", state: "completed", files: ["src/math.js"], confidence: "medium" });
    const commit = git(ws.dir, "rev-parse", `codex/patch-${ids.patched}`).trim();
    expect(byId[ids.patched]).toMatchObject({ kind: "patch", state: "completed", branch: `codex/patch-${ids.patched}`, commit });
    expect(byId[ids.broken]).toMatchObject({ kind: "patch", stateText: "failed: verification_failed", branch: null, commit: null, patchRun: { attempts: 2, failedRef: `refs/codex-relay/failed/${ids.broken}` } });
    expect(byId[ids.overLimits]).toMatchObject({ stateText: "failed: patch_limits", patchRun: { limitsHit: ["unapproved_file"] } });
    // Tokens and cost are the RESULT's own.
    for (const result of results()) {
      const record = byId[result.id];
      expect(record.tokens.total).toBe(result.usage.input_tokens + result.usage.output_tokens);
      expect(record.costUsd).toBe(result.usage.cost_usd);
      expect(record.costUsd).toBeGreaterThan(0);
      expect(record.durationMs).toBe(result.timing.duration_ms);
      expect(record.timing.codexMs).toBe(result.timing.codex_ms);
    }
  });

  it("prints one row per request, with the branch and commit or the kept attempt under a patch", async () => {
    const run = await ws.cli(["status"]);
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toMatch(/^ID\s+KIND\s+STATE\s+AGE\s+DURATION\s+TOKENS\s+COST\s+ISSUE$/);
    expect(lines[1]).toMatch(new RegExp(`^${ids.held}\\s+analysis\\s+awaiting approval\\s+\\d+ s\\s+-\\s+-\\s+-\\s+Needs a person's yes first$`));
    const patched = lines.findIndex((l) => l.startsWith(`${ids.patched} `)); // `<id>_1` may follow within the same second
    expect(lines[patched]).toMatch(/\scompleted\s+\d+ s\s+(?:\d+ ms|\d+\.\d s)\s+[\d,]+\s+\$0\.\d{4}\s+Apply the fix$/);
    expect(lines[patched + 1]).toMatch(new RegExp(`^\\s+↳ codex/patch-${ids.patched} @ [0-9a-f]{12}$`));
    const broken = lines.findIndex((l) => l.startsWith(`${ids.broken} `));
    expect(lines[broken]).toContain("failed: verification_failed");
    expect(lines[broken + 1]).toContain(`refs/codex-relay/failed/${ids.broken}`);
    expect(run.stdout).toContain("held for approval: `codex-relay approve <id>`");
  });

  it("filters by state, kind and age, and limits to the newest", async () => {
    expect((await statusJson("--kind", "patch")).map((r) => r.id)).toEqual([ids.overLimits, ids.broken, ids.patched]);
    expect((await statusJson("--state", "failed")).map((r) => r.id)).toEqual([ids.overLimits, ids.broken, ids.badReply]);
    expect((await statusJson("--state", "awaiting-approval")).map((r) => r.id)).toEqual([ids.held]);
    expect((await statusJson("--state", "open")).map((r) => r.id)).toEqual([ids.held]);
    expect((await statusJson("--kind", "analysis", "--state", "completed")).map((r) => r.id)).toEqual([ids.analysis]);
    expect((await statusJson("--limit", "2")).map((r) => r.id)).toEqual([ids.held, ids.diagnosis]);
    // A request made three days ago (its id is its time) is outside --since 2d and inside 7d.
    const old = "20000101_000000";
    await writeFile(ws.layout.request(old), "## Issue\nan old question\n");
    try {
      expect((await statusJson("--since", "2d")).map((r) => r.id)).not.toContain(old);
      expect((await statusJson("--since", "2d"))).toHaveLength(7);
      expect((await statusJson()).at(-1).id).toBe(old);
    } finally {
      await rm(ws.layout.request(old));
    }
  });

  it("says a request runs, for how long, from its claim", async () => {
    const lease = await createLease(ws.layout.claim(ids.held), { id: ids.held, attempt: 1, phase: "codex" }, new Date(Date.now() - 12_000));
    try {
      const [record] = await statusJson("--state", "running");
      expect(record.id).toBe(ids.held);
      expect(record.stateText).toMatch(/^running 1\d s$/);
    } finally {
      await releaseLease(lease!);
    }
  });

  it("refuses a bad filter with exit 2 and a hint, and reads nothing", async () => {
    for (const [flag, value] of [["--since", "2 days"], ["--state", "sleeping"], ["--kind", "essay"], ["--limit", "1.5"]] as const) {
      const run = await ws.cli(["status", flag, value]);
      expect(run.exitCode).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain(flag);
      expect(run.stderr).toContain("hint:");
    }
    const audit = await ws.cli(["audit", "--since", "yesterday"]);
    expect(audit.exitCode).toBe(2);
    expect(audit.stderr).toContain('--since "yesterday" is not a duration');
  });
});

describe("audit", () => {
  it("computes each figure from the runs' RESULTs and ledger", async () => {
    const figures = await auditJson();
    const finished = results();
    expect(finished).toHaveLength(6);
    expect(figures).toMatchObject({ schema: "codex-relay/audit@1", requests: 7, finished: 6, open: 1, since: null });
    expect(figures.byStatus).toEqual({ completed: 3, failed: 3, rejected: 0, cancelled: 0, timed_out: 0 });
    expect(figures.byKind).toEqual({
      analysis: { finished: 2, byStatus: { completed: 1, failed: 1, rejected: 0, cancelled: 0, timed_out: 0 } },
      patch: { finished: 3, byStatus: { completed: 1, failed: 2, rejected: 0, cancelled: 0, timed_out: 0 } },
      diagnose: { finished: 1, byStatus: { completed: 1, failed: 0, rejected: 0, cancelled: 0, timed_out: 0 } },
    });
    expect(figures.completionRate).toBe(0.5);
    // Patches: one passed, one broken after its repair, one over the limits (checked after Codex, so verified counts it).
    expect(figures.patches).toEqual({
      runs: 3,
      verified: 3,
      verificationPassRate: 0.3333,
      repairs: { attempted: 1, succeeded: 0, rate: 0 },
      limitsHit: { patch: { unapproved_file: 1 } },
      overlapConflicts: 0,
    });
    // Confidence: the analysis said high (3), the diagnosis medium (2).
    expect(figures.confidence).toEqual({ average: 2.5, level: "high", high: 1, medium: 1, low: 0 });
    // Tokens and cost: the sums of the RESULTs' usage.
    const sum = (pick: (r: any) => number, of = finished) => of.reduce((total, r) => total + pick(r), 0);
    expect(figures.spend.total).toMatchObject({
      requests: 6,
      inputTokens: sum((r) => r.usage.input_tokens),
      cachedInputTokens: sum((r) => r.usage.cached_input_tokens),
      outputTokens: sum((r) => r.usage.output_tokens),
      totalTokens: sum((r) => r.usage.input_tokens + r.usage.output_tokens),
      unpriced: 0,
    });
    expect(figures.spend.total.costUsd).toBeCloseTo(sum((r) => r.usage.cost_usd), 6);
    const today = ids.analysis.slice(0, 4) + "-" + ids.analysis.slice(4, 6) + "-" + ids.analysis.slice(6, 8);
    expect(figures.spend.byDay.map((d: any) => d.day)).toEqual([...new Set(finished.map((r) => `${r.id.slice(0, 4)}-${r.id.slice(4, 6)}-${r.id.slice(6, 8)}`))].sort());
    expect(figures.spend.byDay.find((d: any) => d.day === today)).toBeDefined();
    const patches = finished.filter((r) => r.kind === "patch");
    expect(figures.spend.byKind.patch.totalTokens).toBe(sum((r) => r.usage.input_tokens + r.usage.output_tokens, patches));
    // Latency: nearest-rank p50/p95 of the RESULTs' timings.
    const spawn = finished.map((r) => Date.parse(r.timing.started_at) - Date.parse(r.timing.detected_at));
    const codex = finished.map((r) => r.timing.codex_ms);
    const total = finished.map((r) => r.timing.duration_ms);
    expect(codex.every((ms) => typeof ms === "number" && ms > 0)).toBe(true);
    expect(figures.latencyMs).toEqual({
      detectionToSpawn: { n: 6, p50: nearestRank(spawn, 50), p95: nearestRank(spawn, 95) },
      codex: { n: 6, p50: Math.round(nearestRank(codex, 50)!), p95: Math.round(nearestRank(codex, 95)!) },
      total: { n: 6, p50: nearestRank(total, 50), p95: nearestRank(total, 95) },
    });
    expect(figures.topErrors).toEqual([
      { code: "invalid_reply", count: 1 },
      { code: "patch_limits", count: 1 },
      { code: "verification_failed", count: 1 },
    ]);
    expect(figures.topFiles).toEqual({ diagnosed: [{ file: "src/math.js", count: 1 }], patched: [{ file: "src/math.js", count: 1 }] });
    expect(figures.sources).toEqual({ inbox: 7, archive: 0, audit: 0 });
  });

  it("prints the figures as tables", async () => {
    const run = await ws.cli(["audit"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("7 request(s) made ever (6 finished, 1 open)");
    expect(run.stdout).toMatch(/^ {2}all\s+6\s+3\s+3\s+0\s+0\s+0$/m);
    expect(run.stdout).toContain("Totals (completion rate 50.0 %)");
    expect(run.stdout).toContain("verification pass rate  33.3 % (3 verified)");
    expect(run.stdout).toContain("repair success rate     0.0 % (0 of 1 repaired)");
    expect(run.stdout).toContain("limits hit              patch: unapproved_file 1");
    expect(run.stdout).toContain("Average confidence: 2.50 (high;");
    expect(run.stdout).toMatch(/detection → spawn\s+\d+/);
    expect(run.stdout).toMatch(/^\s+1\s+verification_failed$/m);
  });

  it("counts the same after request files were archived and others deleted: the archive and the audit branch keep them", async () => {
    const before = await auditJson();
    // Archive the analysis (same file names under archive/YYYY-MM/) and delete the broken patch's files outright.
    const month = ws.layout.archiveMonth(`${ids.analysis.slice(0, 4)}-${ids.analysis.slice(4, 6)}`);
    await mkdir(month, { recursive: true });
    const filesOf = (id: string) => readdirSync(ws.layout.inbox).filter((n) => n.includes(`_${id}.`)); // not `<id>_1`'s
    for (const name of filesOf(ids.analysis)) await rename(path.join(ws.layout.inbox, name), path.join(month, name));
    for (const name of filesOf(ids.broken)) await rm(path.join(ws.layout.inbox, name));
    await rm(ws.layout.ledger); // the ledger too: the audit branch has it as it stood after each patch

    const after = await auditJson();
    expect(after.sources).toEqual({ inbox: 5, archive: 1, audit: 1 });
    const { sources: _a, until: _b, ...same } = before;
    expect(after).toMatchObject(same);
    expect(after.patches.repairs).toEqual({ attempted: 1, succeeded: 0, rate: 0 });

    const records = await statusJson();
    expect(records.find((r) => r.id === ids.analysis)).toMatchObject({ source: "archive", state: "completed", issue: "Why does /runs/start answer 500?" });
    expect(records.map((r) => r.id)).not.toContain(ids.broken); // status reads the files; only audit reads the branch
    expect(JSON.parse(await readFile(path.join(month, `CODEX_DELEGATION_RESULT_${ids.analysis}.json`), "utf8")).id).toBe(ids.analysis);
  });
});
