// What a plan refuses before anything changes, in this process with the REAL codex binary: a
// drafted plan whose step does not fit the patch limits is not written, and a plan run without
// its whole approval (or with a step edited after it) runs no step.
import { existsSync, utimesSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { processRequest } from "../../src/daemon/process-request.js";
import { publishRequest } from "../../src/protocol/publish-request.js";
import { renderRequest } from "../../src/protocol/render-request.js";
import { jsonMessage } from "../fixtures/model-server.js";
import { PLAN_REPLY, PLAN_ROUTE_DECISION, writeHandPlan } from "../fixtures/plan-project.js";
import { git } from "../helpers/gitdir.js";
import { makePatchWorkspace, runKind } from "../helpers/patch-workspace.js";
import { relayContext, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
afterEach(async () => {
  await ws?.cleanup();
});

const PLAN_ID = "20260101_120000";
const planDir = () => path.join(ws.dir, "progress/plans", PLAN_ID);

async function writePlan(route: string | null): Promise<void> {
  await writeHandPlan(ws.dir, PLAN_ID, route);
}

/** A plan-run request for PLAN_ID, processed here. */
async function runPlan(from = 1): Promise<Record<string, any>> {
  const ctx = await relayContext(ws);
  const now = new Date();
  const markdown = renderRequest({ kind: "plan-run", issue: "run it", extra: { plan: PLAN_ID, from: String(from) }, createdAt: now });
  const id = await publishRequest(ctx.layout, markdown, now, ctx.redactor);
  await processRequest(ctx, { id, detectedAt: now });
  await ctx.background.drain();
  await ctx.logger.close();
  return JSON.parse(await readFile(ws.layout.result(id, "json"), "utf8"));
}

describe("a drafted plan", () => {
  it("is not written when a step would not fit the patch limits or names a protected file", async () => {
    ws = await makePatchWorkspace({ prerequisites: false });
    const [one, two] = PLAN_REPLY.steps;
    ws.server.enqueue(jsonMessage({ ...PLAN_REPLY, steps: [one, { ...two, expected_lines: 300 }, { ...one, files: [{ path: "progress/ledger.jsonl", reason: "x" }] }] }));
    const { result } = await runKind(ws, "plan", "too big");
    expect(result).toMatchObject({ kind: "plan", status: "failed", error: { code: "invalid_reply" } });
    expect(result.error.message).toContain("step 2 expects 300 changed lines (limit 100 per patch)");
    expect(result.error.message).toContain("step 3: `progress/ledger.jsonl` is a protected path");
    expect(result.raw_reply).toContain('"expected_lines": 300');
    expect(existsSync(path.join(ws.dir, "progress/plans"))).toBe(false);
  });
});

describe("a plan run", () => {
  it("runs no step without the plan's route decision, and says where to copy it from", async () => {
    ws = await makePatchWorkspace({ prerequisites: false });
    await writePlan(null);
    const result = await runPlan();
    expect(result).toMatchObject({ kind: "plan-run", status: "rejected", error: { code: "patch_prerequisites" } });
    expect(result.error.message).toContain(`progress/plans/${PLAN_ID}/ROUTE_DECISION.md does not exist`);
    expect(result.error.hint).toContain(`progress/plans/${PLAN_ID}/PLAN.md has the block to copy`);
    expect(ws.server.requests).toHaveLength(0);
    expect(git(ws.dir, "branch", "--list", "codex/*")).toBe("");
  });

  it("runs no step when a step's file is not approved, naming the step and the file", async () => {
    ws = await makePatchWorkspace({ prerequisites: false });
    await writePlan(PLAN_ROUTE_DECISION.replace("- src/util.js\n", ""));
    const result = await runPlan();
    expect(result).toMatchObject({ status: "rejected", error: { code: "patch_prerequisites" } });
    expect(result.error.message).toContain(`step 2 (progress/plans/${PLAN_ID}/step-02.md) changes \`src/util.js\`, which progress/plans/${PLAN_ID}/ROUTE_DECISION.md does not approve`);
    expect(ws.server.requests).toHaveLength(0);
  });

  it("refuses to resume from a step whose previous step is not committed on the plan branch", async () => {
    ws = await makePatchWorkspace({ prerequisites: false });
    await writePlan(PLAN_ROUTE_DECISION);
    const result = await runPlan(2);
    expect(result).toMatchObject({ status: "rejected", error: { code: "patch_prerequisites" } });
    expect(result.error.message).toContain(`step 1 of plan ${PLAN_ID} is not committed on codex/plan-${PLAN_ID}`);
    expect(result.error.hint).toContain(`codex-relay plan run ${PLAN_ID}`);
    expect(ws.server.requests).toHaveLength(0);
  });

  it("refuses an approval older than a step edited after it as stale", async () => {
    ws = await makePatchWorkspace({ prerequisites: false });
    await writePlan(PLAN_ROUTE_DECISION);
    const past = new Date(Date.now() - 60_000);
    utimesSync(path.join(planDir(), "ROUTE_DECISION.md"), past, past);
    const result = await runPlan();
    expect(result).toMatchObject({ status: "rejected", error: { code: "stale_approval" } });
    expect(ws.server.requests).toHaveLength(0);
  });
});
