// The patch stages one by one, without Codex editing anything: a real git repository, a real
// sandbox worktree, real verification commands. The change a Codex run would make is written by
// the test, so what each stage decides and leaves behind can be checked on its own.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Requeue } from "../../src/codex/requeue.js";
import type { KindRun } from "../../src/context/kind-run.js";
import type { RelayContext } from "../../src/context/relay-context.js";
import { verificationVerdict } from "../../src/patch/attempt-verdict.js";
import { runBaseline } from "../../src/patch/baseline.js";
import { planPatch, type PatchPlan } from "../../src/patch/patch-plan.js";
import { patchRunReport } from "../../src/patch/patch-run-report.js";
import type { PatchState } from "../../src/patch/patch-state.js";
import { prepareSandbox, releaseSandbox } from "../../src/patch/prepare-sandbox.js";
import { collectChanges } from "../../src/patch/sandbox-diff.js";
import { settleSandbox } from "../../src/patch/settle-sandbox.js";
import { verifyChange } from "../../src/patch/verify-sandbox.js";
import { parseRequest } from "../../src/protocol/parse-request.js";
import { renderRequest } from "../../src/protocol/render-request.js";
import { FIXED } from "../fixtures/patch-project.js";
import { git } from "../helpers/gitdir.js";
import { makePatchWorkspace } from "../helpers/patch-workspace.js";
import { relayContext, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
let ctx: RelayContext;
let state: PatchState | null;
beforeEach(async () => {
  ws = await makePatchWorkspace();
  ctx = await relayContext(ws);
  state = null;
});
afterEach(async () => {
  if (state) await releaseSandbox(state).catch(() => undefined); // a failed assertion may leave it taken
  await ctx.logger.close();
  await ws.cleanup();
});

const ID = "20260101_120000";
const REPLY = {
  summary: "add() adds",
  commit: { type: "fix", scope: "math", subject: "fix the add operator", body: "add() subtracted its arguments." },
  files: [{ path: "src/math.js", rationale: "the operator was wrong" }],
  rationale: "A minus where a plus belongs.",
} as const;

async function patchRun(signal?: AbortSignal): Promise<{ run: KindRun; plan: PatchPlan }> {
  const parsed = parseRequest(renderRequest({ kind: "patch", issue: "Apply the fix", createdAt: new Date() }));
  if (!parsed.ok) throw new Error(parsed.reason);
  const codex = { version: null, bin: null, model: null, thread_id: null, sandbox: "workspace-write" as const, exit_code: null };
  const run: KindRun = { ctx, id: ID, request: parsed.request, signal, codex, warnings: [] };
  const planned = await planPatch(run);
  if (!planned.ok) throw new Error("prerequisites missing");
  return { run, plan: planned.plan };
}

/** The stages up to a change in the sandbox, as one Codex run would leave it. */
async function changed(content: string): Promise<PatchState> {
  const { run, plan } = await patchRun();
  state = await prepareSandbox(run, plan);
  await runBaseline(state);
  await writeFile(path.join(state.sandbox.dir, "src/math.js"), content);
  state.attempts = 1;
  state.reply = { ...REPLY, commit: { ...REPLY.commit }, files: [...REPLY.files] };
  state.diff = await collectChanges(state.sandbox.dir, state.base);
  await verifyChange(state);
  const verdict = verificationVerdict(state.checks, state.attempts, plan.attempts);
  state.failure = verdict.kind === "pass" ? null : verdict.error;
  return state;
}

describe("prepare and baseline", () => {
  it("takes a sandbox on codex/patch-<id> at the Builder's HEAD, sets Codex up, and verifies the untouched base", async () => {
    const { run, plan } = await patchRun();
    state = await prepareSandbox(run, plan);
    expect(state.base).toBe(git(ws.dir, "rev-parse", "HEAD").trim());
    expect(git(state.sandbox.dir, "branch", "--show-current").trim()).toBe(`codex/patch-${ID}`);
    expect(run.codex.version).toMatch(/^\d+\.\d+\.\d+/);
    await runBaseline(state);
    expect(state.commands.map((c) => c.command)).toEqual(["node test.js"]);
    expect(state.baseline.map((r) => [r.command, r.status, r.exitCode])).toEqual([["node test.js", "fail", 1]]);
    const dir = state.sandbox.dir;
    await releaseSandbox(state);
    state = null;
    expect(git(ws.dir, "branch", "--list", `codex/patch-${ID}`)).toBe("");
    expect(git(dir, "status", "--porcelain")).toBe("");
  });

  it("stops at the baseline with a cancelled error on a cancel, and with the Requeue itself on a shutdown", async () => {
    for (const [reason, expected] of [["cancelled", "cancelled"], [new Requeue("shutdown"), "requeue"]] as const) {
      const abort = new AbortController();
      const { run, plan } = await patchRun(abort.signal);
      state = await prepareSandbox(run, plan);
      abort.abort(reason);
      const thrown = await runBaseline(state).then(() => null, (error: unknown) => error);
      if (expected === "requeue") expect(thrown).toBe(reason);
      else expect(thrown).toMatchObject({ code: "cancelled", message: "the request was cancelled while its sandbox was prepared" });
      await releaseSandbox(state);
      state = null;
    }
  });
});

describe("settle, release and report", () => {
  it("commits a change that verified on the sandbox branch, keeps the branch, and reports it passed", async () => {
    const s = await changed(FIXED);
    expect(s.failure).toBeNull();
    await settleSandbox(s);
    expect(s.status).toBe("completed");
    expect(git(ws.dir, "rev-parse", `codex/patch-${ID}`).trim()).toBe(s.commit);
    expect(git(ws.dir, "log", "-1", "--format=%s", `codex/patch-${ID}`).trim()).toBe("fix(math): fix the add operator");
    await releaseSandbox(s);
    state = null;
    expect(git(ws.dir, "branch", "--list", `codex/patch-${ID}`).trim()).toBe(`codex/patch-${ID}`);
    const report = patchRunReport(s, { overlap: [], merge: null }, new Date(), 1234.4);
    expect(report).toMatchObject({ status: "passed", branch: `codex/patch-${ID}`, commit: s.commit, attempts: 1, failedRef: null, failure: null });
    expect(report.verification.map((c) => c.verdict)).toEqual(["pass"]);
    expect(report.timing.totalMs).toBe(1234);
  });

  it("keeps a change that broke verification under refs/codex-relay/failed/<id>, drops the branch, and reports it failed", async () => {
    const s = await changed("export function add(a, b) {\n  return a * b;\n}\n");
    expect(s.failure?.code).toBe("verification_failed");
    await settleSandbox(s);
    expect(s.status).toBe("failed");
    expect(s.commit).toBeNull();
    expect(s.failedRef).toBe(`refs/codex-relay/failed/${ID}`);
    expect(git(ws.dir, "show", `${s.failedRef}:src/math.js`)).toContain("return a * b;");
    await releaseSandbox(s);
    state = null;
    expect(git(ws.dir, "branch", "--list", `codex/patch-${ID}`)).toBe("");
    const report = patchRunReport(s, { overlap: [], merge: null }, new Date(), 0);
    expect(report).toMatchObject({ status: "failed", branch: null, commit: null, failedRef: s.failedRef, attempts: 1 });
    expect(report.failure).toMatchObject({ code: "verification_failed", message: "verification broke after 1 attempt(s): `node test.js`" });
  });
});
